// The data-dir and socket paths of core/paths.ts, for clients that may not import core
// (the CLI): one definition, so the CLI always finds the socket the host listens on.
export { defaultHome, socketPath } from '../core/paths';
