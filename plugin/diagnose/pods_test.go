package diagnose

import (
	"encoding/json"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// tableJSON is an abridged pod Table as the API server returns it for
// Accept: application/json;as=Table;v=v1;g=meta.k8s.io with includeObject=Object.
const tableJSON = `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"1"},
"columnDefinitions":[{"name":"Name","type":"string"},{"name":"Ready","type":"string"},{"name":"Status","type":"string"},
{"name":"Restarts","type":"string"},{"name":"Age","type":"string"}],
"rows":[{"cells":["webapp-1","0/1","Init:0/1","0","4m"],"object":{"kind":"Pod","apiVersion":"v1",
"metadata":{"name":"webapp-1","namespace":"demo"},"status":{"phase":"Pending"}}},
{"cells":["webapp-2","0/1","Init:CrashLoopBackOff","3 (20s ago)","4m"],"object":{"kind":"Pod","apiVersion":"v1",
"metadata":{"name":"webapp-2","namespace":"demo"},"status":{"phase":"Pending"}}}]}`

func decodeTable(t *testing.T, raw string) *metav1.Table {
	t.Helper()
	var table metav1.Table
	if err := json.Unmarshal([]byte(raw), &table); err != nil {
		t.Fatal(err)
	}
	return &table
}

func TestPodRowsFromTable(t *testing.T) {
	rows, err := podRowsFromTable(decodeTable(t, tableJSON))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Pod.Namespace+"/"+r.Pod.Name+" "+r.Status)
	}
	if want := "demo/webapp-1 Init:0/1|demo/webapp-2 Init:CrashLoopBackOff"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, bad := range []string{`{"kind":"Table","rows":[{"cells":[],"object":"x"}]}`,
		`{"kind":"Table","columnDefinitions":[{"name":"Status"}],"rows":[{"cells":["x"]}]}`} {
		if _, err := podRowsFromTable(decodeTable(t, bad)); err == nil {
			t.Errorf("podRowsFromTable(%q) succeeded", bad)
		}
	}
}
