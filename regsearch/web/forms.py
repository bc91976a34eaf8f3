"""The write side's forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from regsearch.ingest.classify import LEVELS
from regsearch.store.base import ROLE_LABELS
from regsearch.store.uploads import ACCEPT

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def choices(pairs: list[tuple[str, str]]) -> list:  # type: ignore[type-arg]
    """Select options in the form the installed WTForms wants."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button that changes something (sign out, publish, withdraw …): only its token."""


class PasswordForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField("当前密码", validators=[DataRequired()])
    password = PasswordField("新密码", validators=[DataRequired(), Length(min=10, max=256)])


class TokenForm(FlaskForm):  # type: ignore[misc]
    name = StringField("令牌用途", validators=[Optional(), Length(max=80)])


class DepartmentForm(FlaskForm):  # type: ignore[misc]
    name = StringField("部门（发文机关）名称", validators=[DataRequired(), Length(max=100)])
    aliases = StringField("别名（用、或逗号分隔）", validators=[Optional(), Length(max=500)])


def _role_choices() -> list:  # type: ignore[type-arg]
    return choices(list(ROLE_LABELS.items()))


class UserForm(FlaskForm):  # type: ignore[misc]
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=64)])
    role = SelectField("角色", choices=_role_choices())
    department = SelectField("部门", choices=[], validate_choice=False)
    password = PasswordField("初始密码", validators=[DataRequired(), Length(min=10, max=256)])


class UserEditForm(FlaskForm):  # type: ignore[misc]
    role = SelectField("角色", choices=_role_choices())
    department = SelectField("部门", choices=[], validate_choice=False)
    active = BooleanField("启用")
    password = PasswordField(
        "重设密码（留空则不变）", validators=[Optional(), Length(min=10, max=256)]
    )


class DocumentForm(FlaskForm):  # type: ignore[misc]
    """A document's metadata and text; a file upload fills it in for review first."""

    upload = FileField(f"上传文件（{ACCEPT}）")
    title = StringField("标题", validators=[Optional(), Length(max=400)])
    subtitle = StringField("副标题", validators=[Optional(), Length(max=400)])
    doc_number = StringField("发文字号", validators=[Optional(), Length(max=100)])
    authority = StringField("发文机关", validators=[Optional(), Length(max=200)])
    co_authorities = StringField(
        "联合发文机关（用、分隔）", validators=[Optional(), Length(max=500)]
    )
    level = SelectField("效力级别", choices=choices([("", "请选择")] + [(v, v) for v in LEVELS]))
    region = StringField("地区", validators=[Optional(), Length(max=50)])
    written_date = StringField("成文日期", validators=[Optional(), Length(max=40)])
    publish_date = StringField("发布日期", validators=[Optional(), Length(max=40)])
    effective_date = StringField("施行日期", validators=[Optional(), Length(max=40)])
    expiry_date = StringField("有效期至", validators=[Optional(), Length(max=40)])
    url = StringField("原文地址", validators=[Optional(), Length(max=500)])
    body = TextAreaField("正文", validators=[Optional()])
    note = StringField("给审核人的说明", validators=[Optional(), Length(max=500)])
    format = HiddenField()
    worklist = HiddenField()  # an uploaded cleanup worklist (CSV text), parsed again on submit


class DecisionForm(FlaskForm):  # type: ignore[misc]
    """废止 / 宣布失效 of a document, decided by a document in the store."""

    kind = SelectField("决定", choices=choices([("repeal", "废止"), ("expire", "宣布失效")]))
    date = StringField("生效日期", validators=[DataRequired(), Length(max=40)])
    evidence_ref = StringField(
        "决定文件（库中文件的 ID 或发文字号）", validators=[DataRequired(), Length(max=100)]
    )
    evidence = TextAreaField(
        "决定原文（如“……予以废止”）", validators=[Optional(), Length(max=2000)]
    )
    note = StringField("给审核人的说明", validators=[Optional(), Length(max=500)])


class RejectForm(FlaskForm):  # type: ignore[misc]
    note = StringField("退回理由", validators=[DataRequired(), Length(max=500)])
