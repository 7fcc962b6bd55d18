/**
 * Asks the person, in a native message box of the main process, whether Klaxon may connect to a
 * new server or sign-in provider (the decision and the words: ../server-change.ts). The box is not
 * attached to the popover: the popover hides when it loses focus, and a sheet on a hidden window
 * could not be seen.
 */
import { dialog } from 'electron';
import { serverChangePrompt, type ConfirmServerChange } from '../server-change.js';

export const confirmServerChangeInDialog: ConfirmServerChange = async (changes) => {
  const p = serverChangePrompt(changes);
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    title: p.title,
    message: p.message,
    detail: p.detail,
    buttons: p.buttons,
    defaultId: p.defaultId,
    cancelId: p.cancelId,
    noLink: true,
  });
  return response === p.connectId;
};
