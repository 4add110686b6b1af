// Types for the tests (the script itself is plain ESM so Node runs it without a build).
export type Rgba = [number, number, number, number];
export interface Layer {
  shape(x: number, y: number): boolean;
  color: Rgba | ((x: number, y: number) => Rgba);
}
export function crc32(buf: Uint8Array): number;
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer;
export function decodePng(buf: Buffer): { width: number; height: number; rgba: Uint8Array };
export function render(size: number, units: number, layers: Layer[], ss?: number): Uint8Array;
export const TRAY_STATES: readonly ['idle', 'working', 'needs-you', 'failed'];
export const TRAY_VARIANTS: Record<'light' | 'dark' | 'Template', { glyph: Rgba; color: boolean }>;
export const AMBER: Rgba;
export const RED: Rgba;
export function trayLayers(state: string, variant: 'light' | 'dark' | 'Template'): Layer[];
export function renderTray(state: string, variant: 'light' | 'dark' | 'Template', size: number): Uint8Array;
export function appLayers(): Layer[];
export function renderApp(size: number): Uint8Array;
export function iconFiles(): { file: string; size: number; draw(): Uint8Array }[];
export function writeIcons(dir: string): void;
