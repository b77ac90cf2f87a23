package diagnose

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestReadmeJSONExample: the README's `diagnose -o json` example is what
// WriteJSON prints: no field it leaves out, none it does not know.
func TestReadmeJSONExample(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README:", err)
	}
	section := string(raw)
	i := strings.Index(section, "### `kubectl initwait diagnose")
	if i < 0 {
		t.Fatal("README has no diagnose section")
	}
	section = section[i:]
	start := strings.Index(section, "```json\n")
	if start < 0 {
		t.Fatal("README's diagnose section has no ```json example")
	}
	example := section[start+len("```json\n"):]
	example = example[:strings.Index(example, "```")]
	dec := json.NewDecoder(strings.NewReader(example))
	dec.DisallowUnknownFields()
	var rep Report
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("README example is not a Report: %v", err)
	}
	var again bytes.Buffer
	if err := WriteJSON(&again, &rep); err != nil {
		t.Fatal(err)
	}
	if again.String() != example {
		t.Errorf("README example differs from WriteJSON's output of it:\n%s\nwant:\n%s", example, again.String())
	}
}
