export * from './acknowledge';
export * from './enforce';
