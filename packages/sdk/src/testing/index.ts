/**
 * `@firefront/sdk/testing`: helpers for plugin authors' tests. No test runner is assumed.
 * @packageDocumentation
 */
export { checkConnectorContract, ContractError, type ConnectorContractOptions } from './check-connector'
export { recordProblems } from './check-record'
export { CONNECTOR_README_SECTIONS, checkConnectorReadme, type ReadmeCheckOptions, readmeSection } from './check-readme'
export { checkSinkContract, type SinkContractOptions } from './check-sink'
export {
  createFakeContext,
  type CapturedLog,
  type FakeContext,
  type FakeContextOptions,
  type MetricSample,
} from './fake-context'
export {
  ConnectorRunError,
  runConnector,
  type RunConnectorOptions,
  type RunConnectorResult,
  type RunUntil,
} from './run-connector'
