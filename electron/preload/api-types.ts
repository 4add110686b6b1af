// The bridge's type is part of the contract, so the renderer can name it without importing preload.
export type { BridgeReply, ErrandBridge, ShellCommand } from '../contract/bridge';
