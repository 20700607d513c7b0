import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { zhCN } from './zh-cn.js';

export const i18n = i18next;

export const resources = { en: { translation: en }, 'zh-CN': { translation: zhCN } } as const;

/** Any Chinese browser locale gets Simplified Chinese; any English one gets English. */
export function supportedLanguage(language: string): string {
  const lower = language.toLowerCase();
  return lower.startsWith('zh') ? 'zh-CN' : lower.startsWith('en') ? 'en' : language;
}

/** The options that decide which strings show (shared with the test that checks both languages resolve). */
export const languageOptions = {
  resources,
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  load: 'currentOnly',
  interpolation: { escapeValue: false },
  returnNull: false,
} as const;

/** English and Simplified Chinese; the browser's language decides first, the header switch after. */
export function initI18n(): void {
  if (i18n.isInitialized) return;
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      ...languageOptions,
      supportedLngs: [...languageOptions.supportedLngs],
      detection: {
        order: ['localStorage', 'navigator'],
        caches: ['localStorage'],
        lookupLocalStorage: 'rhizome.language',
        convertDetectedLanguage: supportedLanguage,
      },
    });
  const setDocumentLanguage = (language: string) => document.documentElement.setAttribute('lang', language);
  i18n.on('languageChanged', setDocumentLanguage);
  if (i18n.resolvedLanguage) setDocumentLanguage(i18n.resolvedLanguage);
}
