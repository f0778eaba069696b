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
    # 3: the menus (pickers, confirmations) each person has open, for /cancel and search.
    """
    CREATE TABLE menus (
        chat_id      INTEGER NOT NULL,
        message_id   INTEGER NOT NULL,
        user_id      INTEGER NOT NULL,
        kind         TEXT NOT NULL,
        country_code INTEGER,
        opened_at    REAL NOT NULL,
        -- Typed text searches this picker until then; NULL once another menu or command came.
        search_until REAL,
        -- Set by /cancel: the menu's buttons no longer act.
        left_at      REAL,
        PRIMARY KEY (chat_id, message_id)
    );
    CREATE INDEX menus_by_person ON menus (chat_id, user_id, opened_at);
    """,
    # 4: the operator's view. When the code arrived (the median time payment -> code; older
    # orders get the time their code was told, the closest fact on record); indexes for /stats
    # over a period and for the balance watch; a small key-value table for state that must
    # survive a restart (whether the low-balance alert has fired).
    """
    ALTER TABLE orders ADD COLUMN code_at REAL;
    UPDATE orders SET code_at = COALESCE(closed_at, updated_at) WHERE code IS NOT NULL;
    -- Covers every /stats query (they read no other column), so a view is an index range
    -- scan, all time included, and never touches the wide rows (invoices, messages).
    CREATE INDEX orders_for_stats ON orders (created_at, kind, state, paid_from_balance,
        paid_at, code_at, amount_sats, country_code, country_name, service_code, service_name);
    CREATE INDEX orders_by_balance_use ON orders (updated_at)
        WHERE paid_from_balance = 1 OR kind = 'fund';
    CREATE INDEX users_by_first_seen ON users (first_seen);
    CREATE INDEX users_by_last_seen ON users (last_seen);

    CREATE TABLE bot_state (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    # 5: the language a person chose with /language (users), and a group's, chosen by its admins
    # (chats). NULL: not chosen; a person then gets their Telegram app's language.
    """
    ALTER TABLE users ADD COLUMN language TEXT;
    ALTER TABLE chats ADD COLUMN language TEXT;
    """,
)
