// Package chart draws the bot's PNG charts from plain numbers: a
// horizontal bar chart (the pipeline funnel) and a stacked column chart
// (the forecast: weighted value by close month, stacked by stage group).
// It knows nothing of deals; the domain computes the numbers, the bot
// labels them. Labels use a built-in 3×5 bitmap font (digits, '.', '-',
// 'k', 'm', 'b'), so no font files or external packages are needed.
package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// Geometry.
const (
	width  = 480
	rowH   = 28
	barH   = 18
	pad    = 10
	left   = 40 // bars start here; labels sit left of it
	scale  = 3  // pixel size of a font dot
	minBar = 4  // a non-empty bar is at least this wide
	glyphW = 4 * scale

	colHeight = 220 // plot height of the column chart
	colW      = 64
	colGap    = 40
)

// Colours. BarColor is the funnel's bar colour; StackColors are the
// column chart's parts, bottom to top (exported so tests can find them).
var (
	BarColor    = color.RGBA{0x2b, 0x6c, 0xb0, 0xff}
	StackColors = []color.RGBA{
		{0xa6, 0xc8, 0xe8, 0xff}, // light: early stages
		{0x4a, 0x90, 0xd0, 0xff}, // mid: best case
		{0x1c, 0x4e, 0x80, 0xff}, // dark: commit
	}
	bg    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	ink   = color.RGBA{0x33, 0x33, 0x33, 0xff}
	guide = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// BarX is an x coordinate inside every drawn bar of Bars (for tests).
const BarX = left + 1

// glyphs is a 3×5 bitmap font: each row is 3 bits, high bit left.
var glyphs = map[rune][5]uint8{
	'0': {7, 5, 5, 5, 7}, '1': {2, 6, 2, 2, 7}, '2': {7, 1, 7, 4, 7}, '3': {7, 1, 7, 1, 7}, '4': {5, 5, 7, 1, 1},
	'5': {7, 4, 7, 1, 7}, '6': {7, 4, 7, 5, 7}, '7': {7, 1, 1, 1, 1}, '8': {7, 5, 7, 5, 7}, '9': {7, 5, 7, 1, 7},
	'.': {0, 0, 0, 0, 2}, '-': {0, 0, 7, 0, 0},
	'k': {4, 5, 6, 5, 5}, 'm': {0, 7, 7, 5, 5}, 'b': {4, 4, 7, 5, 7},
}

// Bar is one row of a horizontal bar chart.
type Bar struct {
	Label string // drawn left of the bar (digits, e.g. the stage number)
	Value int64
}

// Bars renders one horizontal bar per row, proportional to its value,
// labelled on the left and with the value after the bar.
func Bars(rows []Bar) ([]byte, error) {
	h := 2*pad + len(rows)*rowH
	img := image.NewRGBA(image.Rect(0, 0, width, h))
	fill(img, img.Bounds(), bg)
	var top int64
	for _, r := range rows {
		top = max(top, r.Value)
	}
	valueW := 4 * glyphW // room for four glyphs after the longest bar
	span := width - left - pad - valueW - 6
	fill(img, image.Rect(left-1, pad, left, h-pad), guide)
	for i, r := range rows {
		y := pad + i*rowH + (rowH-barH)/2
		text(img, r.Label, pad, y+(barH-5*scale)/2)
		w := 0
		if r.Value > 0 && top > 0 {
			w = max(minBar, int(int64(span)*r.Value/top))
			fill(img, image.Rect(left, y, left+w, y+barH), BarColor)
		}
		text(img, strconv.FormatInt(r.Value, 10), left+w+6, y+(barH-5*scale)/2)
	}
	return encode(img)
}

// Column is one column of a stacked column chart.
type Column struct {
	Label string  // drawn under the column (e.g. "2026-12")
	Parts []int64 // stacked bottom to top, coloured by StackColors
}

// Stacked renders one column per entry, its parts stacked bottom to top
// and scaled to the tallest column, with the column's total above it in
// compact form (1.2m, 360k).
func Stacked(cols []Column) ([]byte, error) {
	labelH := 5*scale + 2*pad
	w := max(width, 2*pad+len(cols)*(colW+colGap))
	h := pad + 5*scale + pad + colHeight + labelH
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), bg)
	var top int64
	for _, c := range cols {
		top = max(top, sum(c.Parts))
	}
	base := pad + 5*scale + pad + colHeight // y of the baseline
	fill(img, image.Rect(pad, base, w-pad, base+1), guide)
	for i, c := range cols {
		x := 2*pad + i*(colW+colGap)
		y := base
		for k, v := range c.Parts {
			if v <= 0 || top <= 0 {
				continue
			}
			ph := max(1, int(int64(colHeight)*v/top))
			fill(img, image.Rect(x, y-ph, x+colW, y), StackColors[k%len(StackColors)])
			y -= ph
		}
		total := Compact(sum(c.Parts))
		text(img, total, x+(colW-len(total)*glyphW)/2, y-pad-5*scale+pad/2)
		text(img, c.Label, x+(colW-len(c.Label)*glyphW)/2, base+pad)
	}
	return encode(img)
}

// Compact writes v with a k, m or b suffix and one decimal at most:
// 360000 → "360k", 1250000 → "1.2m".
func Compact(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	var s string
	switch {
	case v >= 1_000_000_000:
		s = oneDecimal(v, 1_000_000_000) + "b"
	case v >= 1_000_000:
		s = oneDecimal(v, 1_000_000) + "m"
	case v >= 1_000:
		s = oneDecimal(v, 1_000) + "k"
	default:
		s = strconv.FormatInt(v, 10)
	}
	if neg {
		s = "-" + s
	}
	return s
}

func oneDecimal(v, unit int64) string {
	whole, tenth := v/unit, v%unit*10/unit
	if tenth == 0 || whole >= 100 {
		return strconv.FormatInt(whole, 10)
	}
	return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(tenth, 10)
}

func sum(v []int64) int64 {
	var n int64
	for _, x := range v {
		if x > 0 {
			n += x
		}
	}
	return n
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// text draws s at (x, y); characters without a glyph are skipped.
func text(img *image.RGBA, s string, x, y int) {
	for _, ch := range s {
		g, ok := glyphs[ch]
		if !ok {
			continue
		}
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if g[row]&(4>>col) != 0 {
					px, py := x+col*scale, y+row*scale
					fill(img, image.Rect(px, py, px+scale, py+scale), ink)
				}
			}
		}
		x += glyphW
	}
}
