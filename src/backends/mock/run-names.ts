// Random run names in MLflow's shape: <adjective>-<noun>-<number>.
const ADJECTIVES = [
  'polite',
  'righteous',
  'dazzling',
  'brave',
  'calm',
  'eager',
  'gentle',
  'jolly',
  'lucky',
  'nimble',
  'quiet',
  'rare',
  'silent',
  'sincere',
  'wise',
];
const NOUNS = [
  'steed',
  'turtle',
  'sponge',
  'owl',
  'fox',
  'hare',
  'lark',
  'moth',
  'newt',
  'panda',
  'quail',
  'robin',
  'seal',
  'snail',
  'wolf',
];

export function generateRunName(random: () => number = Math.random): string {
  // the index is below xs.length (random() < 1) and the lists are not empty
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(random() * 1000)}`;
}
