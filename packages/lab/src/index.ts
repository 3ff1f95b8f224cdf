export { DRIVERS, type RunningStack, type StackDriver, type StackOptions } from './drivers';
export { EXPECTED, VARIANTS, type ExpectedTables, type Matrix, type Variant } from './expected';
export { mismatches, runLab, type LabOptions, type Probe } from './lab';
export { collectKeyFiles, parseEnviron, signingKeysIn, type FileReader, type Loot } from './loot';
export { blastRadius, formatMarkdown, formatTerminal } from './report';
