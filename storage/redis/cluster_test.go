package redis_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stagecoach/stagecoach/bot/bottest"
	"github.com/stagecoach/stagecoach/coach"
	"github.com/stagecoach/stagecoach/storage/redis"
	"github.com/stagecoach/stagecoach/storage/redis/redistest"
	"github.com/stagecoach/stagecoach/storage/storagetest"
)

// startCluster starts a local Redis Cluster of three masters (no
// replicas) from the redis-server on PATH: each node gets a third of the
// 16384 slots, the nodes MEET, and it waits for cluster_state:ok.
func startCluster(t *testing.T) []string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH (CI installs it)")
	}
	var addrs []string
	for i := 0; i < 3; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, port, _ := net.SplitHostPort(addr)
		dir := t.TempDir()
		cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"), "--logfile", filepath.Join(dir, "redis.log"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addrs = append(addrs, addr)
	}
	ctx := context.Background()
	nodes := make([]*goredis.Client, len(addrs))
	for i, a := range addrs {
		nodes[i] = goredis.NewClient(&goredis.Options{Addr: a})
		t.Cleanup(func() { nodes[i].Close() })
		for attempt := 0; nodes[i].Ping(ctx).Err() != nil; attempt++ {
			if attempt > 200 {
				t.Fatalf("node %s did not start", a)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	per := 16384 / len(nodes)
	for i, n := range nodes {
		lo, hi := i*per, (i+1)*per-1
		if i == len(nodes)-1 {
			hi = 16383
		}
		if err := n.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("addslots: %v", err)
		}
	}
	for _, a := range addrs[1:] {
		host, port, _ := net.SplitHostPort(a)
		if err := nodes[0].Do(ctx, "CLUSTER", "MEET", host, port).Err(); err != nil {
			t.Fatalf("meet: %v", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for {
			info, _ := n.ClusterInfo(ctx).Result()
			if strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster not ok: %s", info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addrs
}

// TestClusterThreeMasters runs the conformance suite on a local 3-master
// Redis Cluster through NewClient (a cluster client for ≥2 addresses), and
// proves from the servers that every key of a deal lives in one slot.
func TestClusterThreeMasters(t *testing.T) {
	addrs := startCluster(t)
	c, err := redis.NewClient(redis.Config{Addrs: addrs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cc, ok := c.(*goredis.ClusterClient)
	if !ok {
		t.Fatalf("client %T, want a cluster client", c)
	}
	t.Run("conformance", func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) coach.Store {
			return redis.New(c, redis.WithPrefix(redistest.Prefix(t, c)), redis.WithOpTimeout(10*time.Second))
		})
	})
	t.Run("one deal, one slot", func(t *testing.T) {
		ctx := context.Background()
		prefix := "slot-" + fmt.Sprint(time.Now().UnixNano())
		st := redis.New(c, redis.WithPrefix(prefix))
		for _, team := range []string{"T1", "Acme {weird} team"} {
			e := bottest.New(t, bottest.WithStore(st))
			e.Team = team
			e.Ask("alice", `new "Deal"`)
			e.Ask("alice", "check D-1 s1.m1")
			e.Ask("alice", "coach D-1 needs")
			slots := map[int64][]string{}
			err := cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
				it := n.Scan(ctx, 0, prefix+":*", 1000).Iterator()
				for it.Next(ctx) {
					k := it.Val()
					if k == prefix+":teams" || strings.HasPrefix(k, prefix+":seen:") || strings.HasPrefix(k, prefix+":lock:") {
						continue // global keys, by design outside the team's slot
					}
					slot, err := n.ClusterKeySlot(ctx, k).Result()
					if err != nil {
						return err
					}
					slots[slot] = append(slots[slot], k)
				}
				return it.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			// Every team's keys share its own slot; the prefix scan sees all teams
			// so far, one slot each.
			var total int
			for _, keys := range slots {
				total += len(keys)
			}
			if len(slots) == 0 || total < 4 {
				t.Fatalf("too few keys found: %v", slots)
			}
			for slot, keys := range slots {
				team0 := keys[0][:strings.Index(keys[0], "}")]
				for _, k := range keys {
					if !strings.HasPrefix(k, team0) {
						t.Fatalf("slot %d holds keys of two teams: %v", slot, keys)
					}
				}
			}
		}
		if len(slotsOf(t, cc, prefix)) != 2 {
			t.Fatal("want exactly one slot per team")
		}
	})
}

func slotsOf(t *testing.T, cc *goredis.ClusterClient, prefix string) map[int64]bool {
	ctx := context.Background()
	out := map[int64]bool{}
	_ = cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
		it := n.Scan(ctx, 0, prefix+":{*", 1000).Iterator()
		for it.Next(ctx) {
			if s, err := n.ClusterKeySlot(ctx, it.Val()).Result(); err == nil {
				out[s] = true
			}
		}
		return nil
	})
	return out
}
