package coach

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// Funnel chart geometry and colours. The chart has one row per stage
// (0..8): the stage number on the left, a horizontal bar proportional to
// the count, and the count after the bar. Digits use a built-in 3×5
// bitmap font, so no font files or external packages are needed.
const (
	chartWidth  = 480
	chartRowH   = 28
	chartBarH   = 18
	chartPad    = 10
	chartLeft   = 40 // bars start here; stage numbers sit left of it
	chartScale  = 3  // pixel size of a font dot
	chartMinBar = 4  // a non-empty stage is at least this wide
)

// Chart colours; ChartBar is exported so tests can find the bars.
var (
	ChartBar   = color.RGBA{0x2b, 0x6c, 0xb0, 0xff}
	chartBg    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	chartInk   = color.RGBA{0x33, 0x33, 0x33, 0xff}
	chartGuide = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
)

// ChartBarX is an x coordinate inside every drawn bar (for tests).
const ChartBarX = chartLeft + 1

// digits is a 3×5 bitmap font: each row is 3 bits, high bit left.
var digits = [10][5]uint8{
	{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
	{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
}

// FunnelChart renders the pipeline as a PNG: one horizontal bar per stage
// with a non-zero count, labelled with the stage number and the count.
func FunnelChart(stats []StageStat) ([]byte, error) {
	h := 2*chartPad + len(stats)*chartRowH
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, h))
	fill(img, img.Bounds(), chartBg)
	maxCount := 0
	for _, s := range stats {
		maxCount = max(maxCount, s.Count)
	}
	countW := 4 * 4 * chartScale // room for four digits after the longest bar
	span := chartWidth - chartLeft - chartPad - countW - 6
	fill(img, image.Rect(chartLeft-1, chartPad, chartLeft, h-chartPad), chartGuide)
	for i, s := range stats {
		y := chartPad + i*chartRowH + (chartRowH-chartBarH)/2
		text(img, strconv.Itoa(s.Stage), chartPad, y+(chartBarH-5*chartScale)/2)
		w := 0
		if s.Count > 0 && maxCount > 0 {
			w = max(chartMinBar, span*s.Count/maxCount)
			fill(img, image.Rect(chartLeft, y, chartLeft+w, y+chartBarH), ChartBar)
		}
		text(img, strconv.Itoa(s.Count), chartLeft+w+6, y+(chartBarH-5*chartScale)/2)
	}
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

// text draws the digits of s at (x, y); other characters are skipped.
func text(img *image.RGBA, s string, x, y int) {
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			continue
		}
		g := digits[ch-'0']
		for row := 0; row < 5; row++ {
			for col := 0; col < 3; col++ {
				if g[row]&(4>>col) != 0 {
					px, py := x+col*chartScale, y+row*chartScale
					fill(img, image.Rect(px, py, px+chartScale, py+chartScale), chartInk)
				}
			}
		}
		x += 4 * chartScale
	}
}
