import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { zhCN } from './zh-cn.js';

export const i18n = i18next;

export const resources = { en: { translation: en }, 'zh-CN': { translation: zhCN } } as const;

/** English and Simplified Chinese; the browser's language decides first, the header switch after. */
export function initI18n(): void {
  if (i18n.isInitialized) return;
  void i18n
    .use(LanguageDetector)
    .use(initReactI18next)
    .init({
      resources,
      fallbackLng: 'en',
      supportedLngs: ['en', 'zh-CN'],
      nonExplicitSupportedLngs: true,
      load: 'currentOnly',
      interpolation: { escapeValue: false },
      detection: { order: ['localStorage', 'navigator'], caches: ['localStorage'], lookupLocalStorage: 'rhizome.language' },
      returnNull: false,
    });
  const setDocumentLanguage = (language: string) => document.documentElement.setAttribute('lang', language);
  i18n.on('languageChanged', setDocumentLanguage);
  if (i18n.resolvedLanguage) setDocumentLanguage(i18n.resolvedLanguage);
}
