package bot

import "testing"

// BenchmarkT: T is called for every line of every reply. A key without
// placeholders must not allocate; one with placeholders allocates the
// result only.
func BenchmarkT(b *testing.B) {
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = T("zh", "help.title")
		}
	})
	b.Run("placeholders", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = T("en", "new.created", "id", "D-1", "name", "Acme ERP")
		}
	})
}
