"""The forms of signing in and of one's own account, and the words for a refused password."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from agency.domain.accounts import AccountEmailError, PasswordRejected, account_email, check_password

PASSWORD_REFUSALS = {
    "too_short": _l("Le mot de passe doit contenir au moins 12 caractères."),
    "too_long": _l("Le mot de passe est trop long (256 caractères au plus)."),
    "too_simple": _l("Le mot de passe répète trop peu de caractères différents."),
    "common": _l("Ce mot de passe fait partie des plus courants : choisissez-en un autre."),
    "like_email": _l("Le mot de passe ne doit pas reprendre l'adresse email."),
}


def valid_account_email(form, field) -> None:
    """The one rule for an account email (agency.domain.accounts), `.local` and `.test` included."""
    try:
        field.data = account_email(field.data or "")
    except AccountEmailError:
        raise ValidationError(_l("Adresse email invalide.")) from None


def password_refusal(error: PasswordRejected) -> str:
    return str(PASSWORD_REFUSALS[error.reason])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), valid_account_email])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired()])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()])
    new = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired()])
    confirm = PasswordField(_l("Nouveau mot de passe, encore"), validators=[
        DataRequired(), EqualTo("new", message=_l("Les deux mots de passe diffèrent."))])

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def validate_new(self, field) -> None:
        try:
            check_password(field.data or "", email=self._email)
        except PasswordRejected as refused:
            raise ValidationError(password_refusal(refused)) from None
