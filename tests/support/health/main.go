// stampede-health: what GitOps tools conclude about LoadTests, computed by their own code.
//
//	stampede-health ARGOCD_HEALTH.lua < objects.json
//
// Reads a JSON array of Kubernetes objects (as `kubectl get -o json` items) and prints one
// JSON line per object: the status kstatus computes for it (sigs.k8s.io/cli-utils, which Flux's
// health checks use) and the health the Argo CD Lua check returns when run by gopher-lua (Argo
// CD's Lua engine) with the object as `obj`, as Argo CD runs resource health checks.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Name           string `json:"name"`
	KStatus        string `json:"kstatus"`
	KStatusMessage string `json:"kstatus_message"`
	ArgoCD         string `json:"argocd"`
	ArgoCDMessage  string `json:"argocd_message"`
}

// toLua converts decoded JSON the way Argo CD hands objects to health scripts: objects and
// arrays become tables (arrays 1-based), numbers Lua numbers.
func toLua(L *lua.LState, v interface{}) lua.LValue {
	switch x := v.(type) {
	case map[string]interface{}:
		t := L.NewTable()
		for k, item := range x {
			t.RawSetString(k, toLua(L, item))
		}
		return t
	case []interface{}:
		t := L.NewTable()
		for i, item := range x {
			t.RawSetInt(i+1, toLua(L, item))
		}
		return t
	case string:
		return lua.LString(x)
	case float64:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	default:
		return lua.LNil
	}
}

func argoHealth(script string, obj map[string]interface{}) (string, string, error) {
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return "", "", err
	}
	result, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("the health script returned %s, not a table", L.Get(-1).Type())
	}
	return lua.LVAsString(result.RawGetString("status")),
		lua.LVAsString(result.RawGetString("message")), nil
}

// runtimeJSON re-decodes an object as the Kubernetes machinery does (whole numbers as int64),
// which kstatus's unstructured accessors expect.
func runtimeJSON(obj map[string]interface{}) (map[string]interface{}, error) {
	data, err := kjson.Marshal(obj)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	err = kjson.Unmarshal(data, &out)
	return out, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: stampede-health ARGOCD_HEALTH.lua < objects.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var objects []map[string]interface{}
	if err := json.NewDecoder(os.Stdin).Decode(&objects); err != nil {
		fmt.Fprintln(os.Stderr, "objects:", err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	for _, obj := range objects {
		u := &unstructured.Unstructured{Object: obj}
		v := verdict{Name: u.GetName()}
		// kstatus reads integers as int64, as client-go decodes them.
		converted, err := runtimeJSON(obj)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		res, err := status.Compute(&unstructured.Unstructured{Object: converted})
		if err != nil {
			v.KStatus, v.KStatusMessage = "Error", err.Error()
		} else {
			v.KStatus, v.KStatusMessage = res.Status.String(), res.Message
		}
		v.ArgoCD, v.ArgoCDMessage, err = argoHealth(string(script), obj)
		if err != nil {
			v.ArgoCD, v.ArgoCDMessage = "Error", err.Error()
		}
		if err := out.Encode(v); err != nil {
			os.Exit(1)
		}
	}
}
