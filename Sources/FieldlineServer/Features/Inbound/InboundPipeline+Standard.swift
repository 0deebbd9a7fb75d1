import Foundation

extension InboundPipeline {
    /// The inbound pipeline as Fieldline runs it. Read it to follow a member's message from the
    /// webhook (`WebhooksController` → `InboundProcessor` → `IngestBatcher`) to the agents'
    /// live stream: every step runs inside the batch's one transaction, in this order. A feature
    /// that reacts to what members send adds a step here (docs/architecture.md).
    static func standard(database: Database) -> InboundPipeline {
        let channels = PostgresChannelsRepository(database: database)
        return InboundPipeline(database: database, steps: [
            // Once per batch, before any conversation is locked: a message addressed to a
            // horizontal channel (`#handle`, or a quoted relay) takes the tenant's post lock.
            AddressChannelMessages(channels: channels),
            // Then wave after wave, one message per sender:
            LookUpSenders(),                  // a stored copy (retried webhook), the member, their open conversation (locked), the last offer
            MakeStrangersMembers(),           // an unknown sender becomes a member of the adapter's unverified organization
            OpenConversations(),              // one statement for every member with none open
            AnswerPendingQuestion(),          // "2" answers the numbered choices of the last reply
            AnswerOffer(),                    // Accept / Decline of a dispatch offer: the first acceptance wins
            PostToChannel(channels: channels), // words for a horizontal channel, relayed to its participants
            StoreMessages(),                  // one statement: the messages, desk activity, held replies released
            QueueMediaFetch(media: PostgresMediaRepository(database: database)), // the file of a photo or document, fetched after commit
            RecordInboundEvents(),            // one statement: conversation.opened and message.received in the event log
            RouteConversations(routing: RoutingEngine(logger: database.logger)), // welcome menu, keyword rules, team queues
            PublishToStream(),                // the agents' live stream, appended at commit
        ])
    }
}
