import { app } from 'electron';
import { startHost } from '../host/host';

// Placeholder shell; the tray, window and notifications land in electron/main/* modules.
app.whenReady().then(async () => {
  const host = await startHost({ home: app.getPath('userData'), nativeBinding: process.env.ERRAND_SQLITE_BINDING });
  app.on('before-quit', () => void host.close());
});
