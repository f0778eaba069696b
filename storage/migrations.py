"""Schema migrations, applied in order; `PRAGMA user_version` records how many ran.

Never edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: users, chats, orders.
    """
    CREATE TABLE users (
        user_id       INTEGER PRIMARY KEY,
        first_name    TEXT NOT NULL DEFAULT '',
        username      TEXT,
        language_code TEXT,
        first_seen    REAL NOT NULL,
        last_seen     REAL NOT NULL
    );

    CREATE TABLE chats (
        chat_id    INTEGER PRIMARY KEY,
        type       TEXT NOT NULL,
        title      TEXT,
        -- 'member', 'administrator', 'left', 'kicked' (for private chats: 'kicked' = blocked)
        bot_status TEXT NOT NULL DEFAULT 'member',
        updated_at REAL NOT NULL
    );

    CREATE TABLE orders (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        remote_id          TEXT NOT NULL UNIQUE,
        kind               TEXT NOT NULL CHECK (kind IN ('receive', 'send', 'fund')),
        user_id            INTEGER NOT NULL,
        chat_id            INTEGER NOT NULL,
        card_message_id    INTEGER,
        -- The confirmation message whose Buy button created the order: one order per press.
        origin_message_id  INTEGER,
        country_code       INTEGER,
        country_name       TEXT,
        service_code       TEXT,
        service_name       TEXT,
        phone              TEXT,
        message            TEXT,
        amount_sats        INTEGER,
        invoice            TEXT,
        invoice_expires_at REAL,
        paid_from_balance  INTEGER NOT NULL DEFAULT 0,
        state              TEXT NOT NULL,
        number             TEXT,
        code               TEXT,
        error              TEXT,
        paid_at            REAL,
        number_at          REAL,
        -- What the user has been told: the state the card shows, and the code message.
        shown_state        TEXT,
        shown_number       TEXT,
        code_message_id    INTEGER,
        poll_failures      INTEGER NOT NULL DEFAULT 0,
        next_poll_at       REAL,
        created_at         REAL NOT NULL,
        updated_at         REAL NOT NULL,
        -- Set once the order is over and the user has been told everything: the poller
        -- reads only rows where this is NULL.
        closed_at          REAL
    );

    CREATE INDEX orders_open ON orders (id) WHERE closed_at IS NULL;
    CREATE UNIQUE INDEX orders_by_origin ON orders (chat_id, origin_message_id)
        WHERE origin_message_id IS NOT NULL;
    CREATE INDEX orders_by_user ON orders (user_id, created_at DESC);
    """,
    # 2: what was told when (bounded code repeats), /send drafts, placements in progress.
    """
    ALTER TABLE orders ADD COLUMN code_sends INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN tell_after REAL;
    CREATE INDEX orders_by_chat ON orders (chat_id, id);

    -- A /send in progress or confirmed, keyed by the person (chat and user) who drafts it.
    CREATE TABLE drafts (
        id         INTEGER PRIMARY KEY,
        chat_id    INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        phone      TEXT NOT NULL,
        message    TEXT,
        price      INTEGER,
        created_at REAL NOT NULL
    );
    CREATE INDEX drafts_by_person ON drafts (chat_id, user_id);

    -- Written before sms4sats is asked to create an order, resolved once it is stored (or
    -- refused): after a crash in between, the confirmation is told what happened.
    CREATE TABLE placements (
        chat_id    INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        started_at REAL NOT NULL,
        PRIMARY KEY (chat_id, message_id)
    );
    """,
    # 3: the outbox of what users are still to be told, and the poller's view of changed orders.
    """
    -- One row per part of an order still to be told ('code' or 'card'); repeated requests
    -- coalesce into the row, and the tell reads the order itself, so only its newest state is
    -- sent. claimed_by and claimed_until are for sharing the outbox between bot instances (a
    -- claim with a lease); a single instance leaves them NULL.
    CREATE TABLE outbox (
        order_id      INTEGER NOT NULL,
        part          TEXT NOT NULL CHECK (part IN ('code', 'card')),
        chat_id       INTEGER NOT NULL,
        -- 0 a code, 1 a change the user waits for, 2 a cosmetic edit: lower goes first.
        priority      INTEGER NOT NULL,
        due_at        REAL NOT NULL,
        claimed_by    TEXT,
        claimed_until REAL,
        created_at    REAL NOT NULL,
        PRIMARY KEY (order_id, part)
    );
    CREATE INDEX outbox_by_priority ON outbox (priority, due_at);

    -- The poller keeps open orders in memory and reads only the rows written since it last
    -- looked (new orders, changes made by button presses).
    CREATE INDEX orders_by_update ON orders (updated_at);
    """,
)
