#pragma once
// The body of POST /v1/load and its answer: {"users": N, "spawnRate": R} for a closed-model
// plan (spawnRate optional) or {"rate": R} for an open-model one.

#include <nlohmann/json.hpp>
#include <string>

#include "engine/load_change.h"

namespace stampede {

// false + *error naming the field when the body is not such an object or its numbers make no
// sense (engine/load_change.h). Whether they fit the plan's model is the engine's question.
bool parse_load_request(const std::string& body, LoadChange* change, std::string* error);

// The 202 answer: the change as applied, in the request's spelling.
nlohmann::json load_change_json(const LoadChange& applied);

}  // namespace stampede
