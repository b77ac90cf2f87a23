package timeline

import "testing"

type colSink struct{ got Columns }

func (c *colSink) Emit(Entry) error     { return nil }
func (c *colSink) SetColumns(x Columns) { c.got = x }

type wrapSink struct{ next Sink }

func (w wrapSink) Emit(e Entry) error { return w.next.Emit(e) }
func (w wrapSink) Unwrap() Sink       { return w.next }

// TestColumnarOfUnwraps: the renderer behind bars, a recording and a guard
// still gets its columns; a sink that wraps nothing columnar gives nil.
func TestColumnarOfUnwraps(t *testing.T) {
	inner := &colSink{}
	tests := []struct {
		name string
		sink Sink
		want Columnar
	}{
		{"the renderer itself", inner, inner},
		{"three wrappers deep", wrapSink{wrapSink{wrapSink{inner}}}, inner},
		{"a plain sink", SinkFunc(func(Entry) error { return nil }), nil},
		{"a wrapper of a plain sink", wrapSink{SinkFunc(func(Entry) error { return nil })}, nil},
		{"a wrapper of nothing", wrapSink{nil}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ColumnarOf(tc.sink); got != tc.want {
				t.Fatalf("ColumnarOf = %v, want %v", got, tc.want)
			}
		})
	}
}
