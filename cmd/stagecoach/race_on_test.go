//go:build race

package main

// raceEnabled: the race detector multiplies memory use (5–10×), so memory
// bounds are scaled by raceMemFactor.
const raceEnabled = true
