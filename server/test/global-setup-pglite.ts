import { setupEngine } from './global-setup.ts';

export default () => setupEngine('pglite');
