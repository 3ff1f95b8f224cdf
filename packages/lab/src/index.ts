export { DRIVERS, type RunningStack, type StackDriver, type StackOptions } from './drivers';
export { EXPECTED, VARIANTS, type ExpectedTables, type Matrix, type Variant } from './expected';
export {
  harvestStack,
  mismatches,
  probeCompromise,
  runLab,
  type CompromiseProbeOptions,
  type Harvest,
  type LabOptions,
  type Probe,
  type ProbeObserver,
} from './lab';
export { collectKeyFiles, parseEnviron, signingKeysIn, type FileReader, type Loot } from './loot';
export { blastRadius, formatMarkdown, formatTerminal } from './report';
export { createAttacker, type Attacker } from './catalogue/attacker';
export { CATALOGUE } from './catalogue/attacks';
export { formatCatalogueMarkdown, formatCatalogueTerminal, formatCatalogueVerdict } from './catalogue/report';
export {
  expectedOutcome,
  failuresOf,
  runCatalogue,
  type AttackRow,
  type CatalogueOptions,
  type CatalogueRun,
  type Cell,
  type ModeCheck,
} from './catalogue/run';
export {
  ATTACK_GROUPS,
  OUTCOMES,
  type Attack,
  type AttackContext,
  type AttackGroup,
  type AttackRequest,
  type Expectation,
  type ModeExpectation,
  type Outcome,
} from './catalogue/types';
export { GOALS, GOAL_MEASURES, judgeGoals, type Goal, type GoalMeasure, type GoalResult } from './bench/goals';
export { formatBenchMarkdown, formatBenchTerminal } from './bench/report';
export { BENCH_ROUTES, type BenchRoute, type BenchRouteId } from './bench/routes';
export {
  BENCH_DEFAULTS,
  benchFailures,
  runBench,
  type BenchOptions,
  type BenchRun,
  type BenchSettings,
  type JwksFigures,
  type ModeBench,
  type RouteFigure,
  type RouteSample,
} from './bench/run';
export { runVerificationBench, type VerificationBench, type VerificationFigure, type VerificationPath } from './bench/verify-paths';
export {
  EARLY_MARK,
  FINDINGS,
  detectForgedTokens,
  type DetectOptions,
  type Detection,
  type Finding,
  type FlaggedRequest,
  type IssuedTokenEvent,
  type ServiceCounts,
  type ServiceLogs,
} from './detect/detect';
export { parseComposeLogs, parseServiceLogs, readLogFolder, type ReadLogFolder, type ReadLogs } from './detect/read';
export { FLAGGED_COLUMNS, formatDetectionTerminal, type DetectionSource } from './detect/report';
export { armAttacker, attackRound, type AttackKind, type AttackRequest as DrillAttackRequest, type AttackToken } from './drill/attacker';
export { EXPECTED_RECOVERY, type ExpectedRecovery } from './drill/expected';
export { DRILL_USERS, UserLoad, type DrillUser, type LoadOptions, type LoadRecord, type LoadRequest } from './drill/load';
export { deterministicPart, formatDrillMarkdown, formatDrillTerminal } from './drill/report';
export { DRILL_TIMING, judgeDrill, keysToReplace, runDrills, type DrillOptions, type DrillRecord } from './drill/run';
