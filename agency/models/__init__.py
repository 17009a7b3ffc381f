"""All tables, one module per aggregate; importing this package registers them."""
from agency.models.action import Action
from agency.models.audit import AuditEvent
from agency.models.base import Base
from agency.models.calls import AssignmentRule, CallLog, PartnerTask
from agency.models.case import Case, CaseSequence, Claim
from agency.models.commitments import Dispute, InstalmentPlan, PaymentPromise
from agency.models.creditor import ApiToken, Creditor, CreditorMandate, CreditorTerms
from agency.models.debtor import Debtor, DebtorAddress, DebtorEmail, DebtorPhone
from agency.models.ledger import LedgerEntry
from agency.models.message import OutboundMessage
from agency.models.privacy import PersonalDataAccess, PrivacyPurge
from agency.models.portfolio import ColumnMapping, Portfolio, PortfolioRejection
from agency.models.playbook import CaseEngine, CaseStep, EngineHold, EnginePass, PlaybookStep, PlaybookStepAction, PlaybookVersion
from agency.models.user import AgentPair, LoginThrottle, Partner, RecoveryCode, Team, User, UserSession

__all__ = [
    "Action", "AgentPair", "ApiToken", "AssignmentRule", "CallLog", "PartnerTask", "AuditEvent", "Base", "Case", "CaseSequence", "Claim",
    "Creditor", "CreditorMandate", "CreditorTerms", "Debtor", "DebtorAddress", "DebtorEmail", "DebtorPhone", "Dispute",
    "InstalmentPlan", "LedgerEntry", "LoginThrottle", "OutboundMessage", "Partner", "PaymentPromise",
    "PersonalDataAccess", "PrivacyPurge", "RecoveryCode", "Team", "User", "UserSession",
]
