package store

import (
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 20000 {
		c, err := NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != CodeLength {
			t.Fatalf("code %q has length %d", c, len(c))
		}
		for _, r := range c {
			if !strings.ContainsRune(Alphabet, r) {
				t.Fatalf("code %q has %q outside base62", c, r)
			}
			counts[r]++
		}
		if seen[c] {
			t.Fatalf("duplicate code %q in 20000", c)
		}
		seen[c] = true
	}
	// 140000 characters over 62 symbols: ~2258 each; every symbol must appear
	// and none may be grossly over-represented (modulo bias would show here).
	for _, r := range Alphabet {
		if n := counts[r]; n < 1800 || n > 2700 {
			t.Errorf("symbol %q appeared %d times, want ~2258", r, n)
		}
	}
}
