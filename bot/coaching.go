package bot

import "github.com/stagecoach/stagecoach/coach"

// coachingCommands are the guided-questioning, prep, form and case
// commands.
func (r *Router) coachingCommands() []*Command { return nil }

// sessionInput treats free text as the customer's answer while a guided
// session is active; handled is false when no session applies.
func (r *Router) sessionInput(q *Request) (rep Reply, handled bool, err error) {
	return Reply{}, false, nil
}

// toolFormAction handles a submitted tool form (sN.tK).
func (r *Router) toolFormAction(q *Request, a *Action) (Reply, error) {
	return Reply{}, coach.Errf(coach.CodeUnknownTool, "tool", a.Form)
}
