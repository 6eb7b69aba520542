// Package slack is the Slack adapter: it turns Slack events, slash
// commands and interactions into bot.Messages, calls the bot.Handler, and
// renders the bot.Reply as Block Kit. It translates and renders only; it
// makes no deal or stage decision.
//
// # Transports
//
// HTTP mode: Register adds POST /slack/events, /slack/commands and
// /slack/interactivity to a mux owned by cmd; every request is verified
// with the signing secret before it is parsed. Socket Mode: RunSocketMode
// (needs Config.AppToken). Both acknowledge at once and run the handler on
// a bounded bot.Pool; a full pool gets an ephemeral "try again". A
// view_submission is the exception: the handler runs inline (FormTimeout,
// 2.5 s) so Reply.FieldErrors can go back as response_action "errors".
//
// # Input → bot.Message
//
//	slash command           Text = command text; Tenant team_id, User user_id, Channel channel_id
//	message.im              Direct = true, Channel = the DM channel; bots and subtypes ignored
//	app_mention             the bot's <@id> stripped; Thread = thread_ts when in a thread
//	message.channels/groups a thread reply not mentioning the bot: Overheard = true, Thread = thread_ts
//	                        (only ever a note on the deal of the bot's card there; see thread.go)
//	app_home_opened (home)  Text = "home"; the Reply is published as the Home tab
//	button / static_select  Text = value, Action{Kind: ActionCommand, Value: command}
//	checkboxes (Checklist)  Action{Kind: ActionChecklist, Deal, Options: every item id of
//	                        that element, Selected: the ticked ones}
//	view_submission (Form)  Action{Kind: ActionForm, Form, Deal, Values by field key}
//
// Locale is always "" (Slack teams default to English; the router decides).
// UserName comes from users.info, cached. Retried event deliveries are
// applied once: the key slack:event:<team>:<event_id> is recorded with the
// Deduper for DedupeTTL.
//
// # Reply → Slack
//
// Slash commands and message actions answer on response_url (ephemeral or
// in_channel per Reply.Ephemeral; Reply.Replace replaces the card the
// click came from); DMs and mentions with chat.postMessage (or
// chat.postEphemeral); a Replace without response_url uses chat.update;
// actions on the Home tab re-publish it. A Form opens as a modal when a
// trigger_id is at hand, otherwise it is drawn as an "Open form" button
// running Form.Command. Images are uploaded with files upload v2. Replies
// over 50 blocks are split into several messages. Send (bot.Sender) posts
// to a channel or DMs a user via conversations.open, paced per channel.
// With Config.InlineAnswer set, a slash command whose one-message answer
// is ready within that budget (and while the pool has no backlog) gets it
// in the ack body instead (inline.go). A busy ack carries
// X-Stagecoach-Busy: 1. Messages posted to response_url are encoded once
// (encode.go); cmd passes one keep-alive client for all sends.
package slack
