/** The insurer named on every document (WinAnsi-encodable, as standard PDF fonts require). */
export const INSURER_NAME = 'Assureur Démo S.A.';
