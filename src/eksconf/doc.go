// Package eksconf declares the parameters of an eks_logs input once and
// parses them for both shells of the puller: a splunkd stanza
// (eks_logs://<name> in inputs.conf) and an entry of the standalone
// service's YAML file (eks_logs run --config FILE).
//
// The package provides:
//   - Param and Params: every input parameter with its name, label, value
//     syntax, typed default, parser, documentation and whether it is
//     required. --scheme, app/README/inputs.conf.spec, the README's tables and
//     the service's YAML keys all come from this one list; a setup page can
//     build or check its form against it (Param.Check validates one value
//     exactly as an input would);
//   - Input and ParseStanza: one input, parsed and validated, all problems
//     reported at once as *ParamError values naming the parameter;
//   - Service, SinkConfig and ParseService: the service's YAML file, read
//     with sigs.k8s.io/yaml; unknown keys are errors, every error names its
//     key as inputs[0].log_types or sinks[1].url, and secrets are read from
//     the environment or files, never from the YAML;
//   - ServiceKeys and SinkKeys: the declarations of the service's own keys,
//     for the generated README reference;
//   - InputsConfSpec: the generated app/README/inputs.conf.spec.
package eksconf
