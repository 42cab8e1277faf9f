// The mlflow.yml settings that change what a tracking hook logs and where: a hook says which of them it
// honours, and the conformance suite checks the requirements that depend on each in every value.

export const CONFIG_DIMENSIONS = ['childRunPerNode', 'long_params_strategy', 'flatten'] as const;
export type ConfigDimension = (typeof CONFIG_DIMENSIONS)[number];
