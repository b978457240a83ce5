#pragma once
// The per-section parsers behind parse_plan_text (plan_parser.cc). Internal to the model
// library: each reads one part of the file, reports problems through the YamlReader and fills
// its part of the Plan.

#include <vector>

#include "model/plan.h"
#include "model/plan_parser.h"
#include "model/yaml_reader.h"

namespace stampede::plan_sections {

// `field` is nullopt when the file has no `target` (allowed with a host override).
void parse_target(YamlReader& reader, const std::optional<YamlField>& field,
                  const YamlField& parent, const ParseOptions& options, Target* target);
// A map of header name -> value (target and step headers).
std::vector<Header> parse_headers(YamlReader& reader, const YamlField& field);
// Returns false when the model could not be determined (callers then skip model checks).
bool parse_load(YamlReader& reader, const YamlField& field, LoadModel* load);
// `open_model`: nullopt when the load section was invalid.
void parse_scenarios(YamlReader& reader, const YamlField& field, std::optional<bool> open_model,
                     std::vector<Scenario>* scenarios);
std::optional<Step> parse_step(YamlReader& reader, const YamlField& field);
// `scenarios` is null when the scenarios had errors; tag values are then not cross-checked.
void parse_thresholds(YamlReader& reader, const YamlField& field,
                      const std::vector<Scenario>* scenarios, std::vector<Threshold>* thresholds);

}  // namespace stampede::plan_sections
