package bot

// jobCommands are the nudge, digest and scorecard commands.
func (r *Router) jobCommands() []*Command { return nil }

// teamJobCommand handles `team <op>` sub-commands of the job features
// (e.g. `team digest`); ok is false when op is not one of them.
func (r *Router) teamJobCommand(q *Request, op string) (rep Reply, ok bool, err error) {
	return Reply{}, false, nil
}
