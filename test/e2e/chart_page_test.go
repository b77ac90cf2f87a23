//go:build e2e

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// chartLane is what the page shows of one lane.
type chartLane struct {
	Group    string   `json:"group"`
	Pod      string   `json:"pod"`
	Statuses []string `json:"statuses"`
}

// openChart loads an HTML chart in headless Chromium, fails the test on a
// console error, an exception or any request but the page's own, and
// returns its lanes and a screenshot of the whole page.
func openChart(t *testing.T, path string) ([]chartLane, []byte) {
	t.Helper()
	d := startChromium(t)
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		if err := d.call(domain+".enable", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	page := (&url.URL{Scheme: "file", Path: path}).String()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := d.call("Page.navigate", map[string]any{"url": page}, &nav); err != nil || nav.ErrorText != "" {
		t.Fatalf("navigating to %s: %v %s", page, err, nav.ErrorText)
	}
	if err := d.waitEvent("Page.loadEventFired", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	var lanes []chartLane
	if err := d.eval(`[...document.querySelectorAll("svg#timeline g.lane")].map(g => ({
		group: g.parentNode.dataset.group, pod: g.dataset.pod,
		statuses: [...g.querySelectorAll("rect.seg")].map(r => r.dataset.status)}))`, &lanes); err != nil {
		t.Fatal(err)
	}
	var size struct{ W, H int }
	if err := d.eval(`({W: document.documentElement.scrollWidth, H: document.documentElement.scrollHeight})`, &size); err != nil {
		t.Fatal(err)
	}
	if err := d.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": max(size.W, 1280), "height": size.H,
		"deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		t.Fatal(err)
	}
	var shot struct {
		Data string `json:"data"`
	}
	if err := d.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot); err != nil {
		t.Fatal(err)
	}
	img, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // late console or network events
	for _, e := range d.eventsNamed("Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Log.entryAdded") {
		var p struct {
			Type  string `json:"type"`
			Entry struct {
				Level, Text, URL string
			} `json:"entry"`
		}
		_ = json.Unmarshal(e.Params, &p)
		if e.Method == "Runtime.exceptionThrown" || p.Type == "error" || p.Entry.Level == "error" {
			t.Errorf("console: %s %s", e.Method, e.Params)
		}
	}
	for _, e := range d.eventsNamed("Network.requestWillBeSent") {
		var p struct {
			Request struct{ URL string } `json:"request"`
		}
		_ = json.Unmarshal(e.Params, &p)
		if p.Request.URL != page && !strings.HasPrefix(p.Request.URL, "data:") {
			t.Errorf("the page requested %s", p.Request.URL)
		}
	}
	return lanes, img
}

// checkScreenshot decodes a PNG and counts the pixels of the chart's
// colours: the picture must show what the DOM says.
func checkScreenshot(t *testing.T, b []byte, colours map[string][3]uint8) image.Rectangle {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	count := map[string]int{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			for name, c := range colours {
				if uint8(cr>>8) == c[0] && uint8(cg>>8) == c[1] && uint8(cb>>8) == c[2] {
					count[name]++
				}
			}
		}
	}
	for name := range colours {
		if count[name] < 200 {
			t.Errorf("the screenshot has %d pixels of %s", count[name], name)
		}
	}
	return r
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
