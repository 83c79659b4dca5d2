// The consent text members accept before Loa stores anything about their sharing. Versioned:
// a new text gets the next number and everyone is asked again. The wording itself is in the
// locale files (members.consent.v<N>.*) so it reads in Vietnamese and English.
export interface ConsentDocument {
  version: number;
  /** i18n key of the section holding this version's paragraphs. */
  key: string;
}

export const CONSENT_DOCUMENTS: readonly ConsentDocument[] = [{ version: 1, key: 'members.consent.v1' }];

export const CURRENT_CONSENT: ConsentDocument = CONSENT_DOCUMENTS[CONSENT_DOCUMENTS.length - 1] ?? {
  version: 1,
  key: 'members.consent.v1',
};

/** The paragraphs of a consent document, in order (purpose, data, who sees it, withdrawal, law). */
export const CONSENT_PARTS = ['purpose', 'data', 'audience', 'withdraw', 'law'] as const;

export type Translate = (key: string, options?: Record<string, unknown>) => string;

export function consentText(doc: ConsentDocument, t: Translate): string {
  return [t(`${doc.key}.title`), ...CONSENT_PARTS.map((part) => t(`${doc.key}.${part}`))].join('\n\n');
}
