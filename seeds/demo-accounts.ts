/** The demo accounts, shown on the sign-in page in demo mode (never in production). */
export const DEMO_PASSWORD = 'streetfund-demo';

export interface DemoAccount {
  username: string;
  role: string;
  scope: string;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'admin', role: 'admin', scope: '区民政局' },
  { username: 'manager.dongshan', role: 'manager', scope: '东山街道' },
  { username: 'approver.dongshan', role: 'approver', scope: '东山街道' },
  { username: 'manager.liucheng', role: 'manager', scope: '柳城街道' },
  { username: 'manager.yuehe', role: 'manager', scope: '月河街道' },
  { username: 'reviewer.zhang', role: 'reviewer', scope: '' },
  { username: 'reviewer.li', role: 'reviewer', scope: '' },
  { username: 'auditor.wang', role: 'auditor', scope: '东山街道, 柳城街道, 月河街道' },
  { username: 'org.anxin', role: 'org_staff', scope: '南京市江宁区安心养老服务中心' },
  { username: 'org.tongxin', role: 'org_staff', scope: '成都市温江区同心社会工作服务中心' },
  { username: 'org.lvyin', role: 'org_staff', scope: '湖州市吴兴区绿荫公益基金会' },
];
