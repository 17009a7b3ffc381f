"""All tables, one module per aggregate; importing this package registers them."""
from agency.models.action import Action
from agency.models.audit import AuditEvent
from agency.models.base import Base
from agency.models.case import Case, CaseSequence, Claim
from agency.models.commitments import Dispute, InstalmentPlan, PaymentPromise
from agency.models.creditor import ApiToken, Creditor
from agency.models.debtor import Debtor, DebtorAddress, DebtorEmail, DebtorPhone
from agency.models.ledger import LedgerEntry
from agency.models.user import AgentPair, Partner, Team, User

__all__ = [
    "Action", "AgentPair", "ApiToken", "AuditEvent", "Base", "Case", "CaseSequence", "Claim",
    "Creditor", "Debtor", "DebtorAddress", "DebtorEmail", "DebtorPhone", "Dispute",
    "InstalmentPlan", "LedgerEntry", "Partner", "PaymentPromise", "Team", "User",
]
