/** Deterministic Chinese names for the generated province (no randomness: the same scale gives the same data). */
const DISTRICTS = ['玄武区', '秦淮区', '建邺区', '鼓楼区', '浦口区', '栖霞区', '雨花台区', '江宁区', '六合区', '溧水区', '高淳区'];
const STREETS = ['梅园新村', '新街口', '玄武门', '锁金村', '红山', '孝陵卫', '夫子庙', '朝天宫', '洪武路', '中华门', '双塘', '红花', '南湖', '莫愁湖', '沙洲', '兴隆', '江心洲', '宁海路', '华侨路', '湖南路', '挹江门', '江东', '凤凰', '热河南路', '龙江', '泰山', '顶山', '沿江', '江浦', '桥林', '汤泉', '尧化', '马群', '迈皋桥', '燕子矶', '仙林', '栖霞', '八卦洲', '雨花', '赛虹桥', '铁心桥', '西善桥', '板桥', '东山', '秣陵', '汤山', '淳化', '禄口', '谷里', '横溪', '江宁', '雄州', '龙池', '程桥', '竹镇', '永宁', '东屏', '石湫', '洪蓝', '淳溪'];
const BRANDS = ['阳光', '暖心', '同心', '益众', '邻里', '春晖', '善源', '和美', '康乐', '启明', '慈航', '安心', '颐和', '乐龄', '希望', '众行', '彩虹', '晨曦', '知行', '嘉禾'];
const KINDS = ['社区服务中心', '养老服务中心', '社会工作服务社', '公益发展中心', '助残服务中心', '法律援助服务社', '青少年发展中心', '文化促进会', '志愿者协会', '邻里互助会'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN = ['建国', '秀英', '志强', '丽娟', '海燕', '明辉', '晓东', '慧敏', '子涵', '浩然', '雨桐', '国华', '玉兰', '文静', '伟', '芳', '敏', '静', '磊', '洋'];
const SERVICES = ['居家养老上门服务', '困难群众帮扶', '社区法律咨询', '残疾人康复训练', '青少年课后托管', '社区文化活动', '独居老人探访', '社区议事协商', '低保家庭心理疏导', '社区志愿服务培训'];

export const districtOf = (i: number) => DISTRICTS[i % DISTRICTS.length];
/** Street office i (0-based): unique within the province. */
export const streetName = (i: number) => `${districtOf(i)}${STREETS[i % STREETS.length]}${i >= STREETS.length ? Math.floor(i / STREETS.length) + 1 : ''}街道办事处`;
/** A unique short code of letters for contract numbers: 0 -> BA, 1 -> BB ... */
export const shortCode = (i: number) => `B${[...i.toString(26).padStart(2, '0')].map((d) => String.fromCharCode(65 + parseInt(d, 26))).join('')}`;
export const organizationName = (i: number) => `南京市${districtOf(i * 7)}${BRANDS[i % BRANDS.length]}${KINDS[Math.floor(i / BRANDS.length) % KINDS.length]}${i >= BRANDS.length * KINDS.length ? `（${Math.floor(i / (BRANDS.length * KINDS.length)) + 1}）` : ''}`;
export const personName = (i: number) => `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}`;
export const serviceName = (i: number) => SERVICES[i % SERVICES.length];
