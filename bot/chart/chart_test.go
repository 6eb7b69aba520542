package chart_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/stagecoach/stagecoach/bot/chart"
)

func decode(t *testing.T, data []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\x89PNG")) {
		t.Fatal("not a PNG")
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return img
}

func same(a color.Color, b color.RGBA) bool {
	r, g, bl, _ := a.RGBA()
	r2, g2, b2, _ := b.RGBA()
	return r == r2 && g == g2 && bl == b2
}

// runs counts the runs of colour c down the vertical line x.
func runs(img image.Image, x int, c color.RGBA) (n, pixels int) {
	in := false
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		on := same(img.At(x, y), c)
		if on {
			pixels++
		}
		if on && !in {
			n++
		}
		in = on
	}
	return n, pixels
}

func TestBars(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		bars   int
	}{
		{"all stages", []int64{3, 5, 4, 2, 2, 1, 1, 1, 1}, 9},
		{"gaps", []int64{0, 7, 0, 1, 0, 0, 2, 0, 0}, 3},
		{"one huge, one tiny", []int64{1000, 1, 0, 0, 0, 0, 0, 0, 0}, 2},
		{"empty", []int64{0, 0, 0, 0, 0, 0, 0, 0, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rows []chart.Bar
			for i, v := range tc.values {
				rows = append(rows, chart.Bar{Label: string(rune('0' + i)), Value: v})
			}
			data, err := chart.Bars(rows)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := runs(decode(t, data), chart.BarX, chart.BarColor); got != tc.bars {
				t.Fatalf("%d bars, want %d", got, tc.bars)
			}
		})
	}
}

func TestStacked(t *testing.T) {
	cols := []chart.Column{
		{Label: "2026-10", Parts: []int64{100, 0, 300}},
		{Label: "2026-11", Parts: []int64{0, 0, 0}},
		{Label: "2026-12", Parts: []int64{200, 200, 400}},
	}
	data, err := chart.Stacked(cols)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, data)
	// column i's centre: 2*pad + i*(colW+colGap) + colW/2 = 20 + i*104 + 32
	height := func(i, part int) int {
		_, px := runs(img, 52+i*104, chart.StackColors[part])
		return px
	}
	// the tallest column (800) is 220 px high: 200 → 55, 400 → 110
	if h := height(2, 0); h != 55 {
		t.Fatalf("December early %d px, want 55", h)
	}
	if h := height(2, 2); h != 110 {
		t.Fatalf("December commit %d px, want 110", h)
	}
	if h := height(0, 2); h != 82 {
		t.Fatalf("October commit %d px, want 82", h)
	}
	if h := height(0, 1) + height(1, 0) + height(1, 1) + height(1, 2); h != 0 {
		t.Fatalf("empty parts drawn: %d px", h)
	}
	if _, err := chart.Stacked(nil); err != nil {
		t.Fatalf("no columns: %v", err)
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1k"}, {1500, "1.5k"}, {360_000, "360k"},
		{1_250_000, "1.2m"}, {13_500_000, "13.5m"}, {135_000_000, "135m"}, {2_000_000_000, "2b"}, {-45_000, "-45k"},
	}
	for _, tc := range tests {
		if got := chart.Compact(tc.in); got != tc.want {
			t.Errorf("Compact(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
