/**
 * The words of the UI in the learner's JupyterLab language. Every string a user reads goes
 * through the `__` method of `trans` below (gettext domain `dlviz_lab`): its first argument is
 * one plain single-quoted string literal, the English message, with `%1`, `%2` standing for the
 * values passed after it, so that the extractor finds every message and translations can move
 * the values around.
 *
 * The catalogs are `dlviz_lab/locale/<lang>/LC_MESSAGES/dlviz_lab.po` (Portuguese of Brazil,
 * Spanish); `python -m dlviz_lab.translations update` collects new messages from these calls.
 * The plugins call `setTranslator` once at activation; until then (and in unit tests) English.
 */
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';

export const DOMAIN = 'dlviz_lab';

let bundle: TranslationBundle = nullTranslator.load(DOMAIN);
let code = 'en';

/** Use JupyterLab's translator (its language pack and our catalog for that language). */
export function setTranslator(translator: ITranslator | null | undefined): void {
  if (translator) {
    bundle = translator.load(DOMAIN);
    code = translator.languageCode || 'en';
  }
}

/** The language JupyterLab shows, as it names it (e.g. 'pt-BR'); the catalog asks in it. */
export function languageCode(): string {
  return code;
}

/** Translate a message (`%1`, `%2`, ... replaced by the values after it). */
export const trans = {
  __: (msgid: string, ...args: unknown[]): string => bundle.__(msgid, ...args)
};
