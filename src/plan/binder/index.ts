export { bindQuery } from './query.js';
