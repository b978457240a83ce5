// stampede-flux-health: the health Flux's kustomize-controller concludes for objects from the
// CEL health check expressions of a Kustomization (spec.healthCheckExprs), computed by Flux's
// own evaluator (github.com/fluxcd/pkg/runtime/cel, as kustomize-controller runs it).
//
//	stampede-flux-health < input.json
//
// The input is {"healthCheckExprs": [...], "objects": [...]}: the field of a Kustomization as the
// API server stored it, and objects as `kubectl get -o json` returns them. Prints one JSON line
// per object: its name, and the status the matching expressions give ("" when none match its
// kind, as Flux then falls back to kstatus), or the evaluation error.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/fluxcd/pkg/apis/kustomize"
	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/util/json"
)

type input struct {
	HealthCheckExprs []kustomize.CustomHealthCheck `json:"healthCheckExprs"`
	Objects          []json.RawMessage             `json:"objects"`
}

type verdict struct {
	Name    string `json:"name"`
	Flux    string `json:"flux"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "input:", err)
		os.Exit(2)
	}
	// As fluxcel.NewStatusReader does: one evaluator per GroupKind, or per group when the
	// entry has no kind; an entry for the kind wins over one for its group.
	evaluators := map[schema.GroupKind]*fluxcel.StatusEvaluator{}
	for i, hc := range in.HealthCheckExprs {
		gk := schema.FromAPIVersionAndKind(hc.APIVersion, hc.Kind).GroupKind()
		if hc.Kind == "" {
			gk = schema.GroupKind{Group: gk.Group}
		}
		e, err := fluxcel.NewStatusEvaluator(&hc.HealthCheckExpressions)
		if err != nil {
			fmt.Fprintf(os.Stderr, "healthCheckExprs[%d]: %v\n", i, err)
			os.Exit(1)
		}
		evaluators[gk] = e
	}
	out := json.NewEncoder(os.Stdout)
	for _, raw := range in.Objects {
		// Decoded as the Kubernetes machinery decodes objects (whole numbers as int64).
		obj := map[string]interface{}{}
		if err := kjson.Unmarshal(raw, &obj); err != nil {
			fmt.Fprintln(os.Stderr, "object:", err)
			os.Exit(2)
		}
		u := &unstructured.Unstructured{Object: obj}
		v := verdict{Name: u.GetName()}
		gk := u.GroupVersionKind().GroupKind()
		e, ok := evaluators[gk]
		if !ok {
			e, ok = evaluators[schema.GroupKind{Group: gk.Group}]
		}
		if ok {
			res, err := e.Evaluate(context.Background(), u)
			if err != nil {
				v.Error = err.Error()
			} else {
				v.Flux, v.Message = res.Status.String(), res.Message
			}
		}
		if err := out.Encode(v); err != nil {
			os.Exit(1)
		}
	}
}
