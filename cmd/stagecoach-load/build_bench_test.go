package main

import (
	"context"
	mrand "math/rand/v2"
	"net/url"
	"testing"
)

// BenchmarkBuild measures the tool's own cost of building and signing
// one request per op (it bounds the rate one core can generate).
func BenchmarkBuild(b *testing.B) {
	u, _ := url.Parse("http://127.0.0.1:1")
	for _, op := range []string{OpShow, OpTick, OpButton, OpLark} {
		b.Run(op, func(b *testing.B) {
			m, _ := ParseMix(op + "=1")
			l, err := NewLoader(Config{Target: u, Secret: "s", Rate: 1, Duration: 1, Connections: 1, MaxRequests: 1, Timeout: 1,
				Deals: 10, Team: "T1", Users: 1, Channel: "C1", Items: []string{"s1.m1", "s1.m2"}, Mix: m,
				Command: "/coach", Path: "/slack/commands", InteractivityPath: "/slack/interactivity", LarkPath: "/lark/events", LarkEncryptKey: "k"})
			if err != nil {
				b.Fatal(err)
			}
			r := mrand.New(mrand.NewPCG(1, 2))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.build(context.Background(), op, r, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
