// The bridge's type is part of the contract, so the renderer can name it without importing preload.
export type { ErrandBridge, FrameBridge, ShellCommand } from '../contract/bridge';
