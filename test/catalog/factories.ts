// The catalogue item is one link of the shared chain of test records (test/helpers/chain.ts).
export { catalogItem as makeItem } from '../helpers/chain';
