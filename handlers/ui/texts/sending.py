"""/send and the send card: the steps, the draft and the confirmation."""

from __future__ import annotations

from bot.domain.drafts import MAX_SMS_LENGTH
from bot.domain.orders import OrderState
from bot.domain.phones import PhoneProblem
from handlers.ui.i18n import N_, _, ngettext
from handlers.ui.texts.base import esc, sats
from handlers.ui.texts.buying import order_created
from handlers.ui.texts.cancel import invoice_withdrawn
from handlers.ui.texts.order_card import card_invoice_expired


def send_subject(phone: str) -> str:
    return _("an SMS to <b>%(phone)s</b>", phone=esc(phone))


def fund_subject(amount: int) -> str:
    return _("a top-up of <b>%(amount)s</b> for the sms4sats balance", amount=sats(amount))


def send_card(state: OrderState, message: str, paid_from_balance: bool) -> str:
    quoted = f"<blockquote>{esc(message)}</blockquote>\n" if message else ""
    if state is OrderState.PAID:
        line = _("📤 Paid. Sending your SMS…")
    elif state is OrderState.SENT:
        line = _("📤 Sent; waiting for the delivery report.")
    elif state is OrderState.COMPLETED:
        line = _("✅ Delivered.")
    elif state is OrderState.FAILED and paid_from_balance:
        line = _("❌ The SMS could not be delivered. The balance is not charged for a failed SMS.")
    elif state is OrderState.FAILED:
        line = _(
            "❌ The SMS could not be delivered. Your sats return to your wallet automatically."
        )
    elif state is OrderState.CANCELLED:
        line = invoice_withdrawn()
    elif state is OrderState.INVOICE_EXPIRED:
        line = card_invoice_expired()
    else:
        line = _("📤 In progress…")
    return quoted + line


# --- /send ---------------------------------------------------------------------------------

PHONE_PLACEHOLDER = "+44 7911 123456"


def send_hold_invoice() -> str:
    return _(
        "⚡ This is a <b>hold invoice</b>: paying only holds your sats. They are taken once the "
        "SMS is sent; if it cannot be sent, they return to your wallet by themselves."
    )


def send_ask_phone() -> str:
    return _(
        "📤 <b>Send an SMS.</b> Which phone number should get it?\n"
        "Include the country code, like <code>+44 7911 123456</code>. /cancel stops."
    )


def message_placeholder() -> str:
    """The input field's hint (at most 64 characters)."""
    return _("Your message (up to %(max)s characters)", max=MAX_SMS_LENGTH)


_PHONE_PROBLEMS = {
    PhoneProblem.NO_COUNTRY_CODE: N_(
        "Please include the country code, starting with + (like +44…)."
    ),
    PhoneProblem.TOO_LONG: N_("That is too long to be a phone number."),
    PhoneProblem.NOT_A_NUMBER: N_("That is not a phone number."),
    PhoneProblem.INVALID_FOR_COUNTRY: N_("That is not a valid phone number for its country."),
}


def send_invalid_phone(problem: PhoneProblem) -> str:
    again = _("Please send the number again, like <code>+44 7911 123456</code>.")
    return f"❌ {_(_PHONE_PROBLEMS[problem])}\n{again}"


def send_ask_message(phone: str) -> str:
    return ngettext(
        "✉️ What should the SMS to <b>%(phone)s</b> say? Up to %(count)s character. /cancel stops.",
        "✉️ What should the SMS to <b>%(phone)s</b> say? Up to %(count)s characters. /cancel stops.",
        MAX_SMS_LENGTH,
        phone=esc(phone),
    )


def send_too_long(length: int) -> str:
    return ngettext(
        "❌ That message has %(count)s character; an SMS here holds at most %(max)s. "
        "Please send a shorter one.",
        "❌ That message has %(count)s characters; an SMS here holds at most %(max)s. "
        "Please send a shorter one.",
        length,
        max=MAX_SMS_LENGTH,
    )


def send_empty() -> str:
    return _("❌ The message is empty. Please send the text of the SMS.")


def send_text_only() -> str:
    return _("Please send the SMS as text, or /cancel.")


def send_timed_out() -> str:
    return _("⌛ The /send conversation timed out. Start again with /send when you are ready.")


def send_draft_gone() -> str:
    return _("This draft has expired (or was already used). Start again with /send.")


def send_discarded() -> str:
    return _("✖️ Discarded. No SMS was sent.")


def button_pay_balance() -> str:
    return _("💰 Pay from balance")


def send_button(price: int) -> str:
    return _("⚡ Send for %(price)s", price=sats(price))


def button_discard() -> str:
    return _("✖️ Cancel")


def send_confirmation(phone: str, message: str, price: int, admin_balance: bool) -> str:
    lines = [
        _("📤 <b>Please confirm</b>"),
        _("To: <b>%(phone)s</b>", phone=esc(phone)),
        f"<blockquote>{esc(message)}</blockquote>",
        _("Price: <b>%(price)s</b>", price=sats(price)),
    ]
    if admin_balance:
        lines.append(_("As an admin you can also pay from the bot's prepaid sms4sats balance."))
    return "\n".join(lines) + "\n\n" + send_hold_invoice()


def send_order_created(order_id: int, from_balance: bool) -> str:
    if from_balance:
        return _(
            "📤 Order #%(order)s: paid from the prepaid balance. Its card below shows where it "
            "stands.",
            order=order_id,
        )
    return order_created(order_id)
