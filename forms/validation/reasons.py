"""Why an answer was refused: a stable reason code, its parameters, and its translatable message."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class Reason(StrEnum):
    """Reason codes the bot and the API translate; the value is what the API returns."""

    required = "required"
    id_length = "id.length"
    id_chars = "id.chars"
    id_birth_date = "id.birth_date"
    id_birth_future = "id.birth_future"
    id_checksum = "id.checksum"
    uscc_length = "uscc.length"
    uscc_chars = "uscc.chars"
    uscc_region = "uscc.region"
    uscc_checksum = "uscc.checksum"
    document_is_resident_id = "document.is_resident_id"
    document_checksum = "document.checksum"
    passport_format = "passport.format"
    hk_macao_permit_format = "hk_macao_permit.format"
    taiwan_permit_format = "taiwan_permit.format"
    residence_permit_format = "residence_permit.format"
    permanent_residence_format = "permanent_residence.format"
    foreign_passport_format = "foreign_passport.format"
    letter_number_format = "letter_number.format"
    verify_code_format = "verify_code.format"
    phone_invalid = "phone.invalid"
    name_length = "name.length"
    name_chars = "name.chars"
    name_mixed = "name.mixed_scripts"
    org_name_chars = "org_name.chars"
    date_format = "date.format"
    date_invalid = "date.invalid"
    date_future = "date.future"
    date_past = "date.past"
    date_too_late = "date.too_late"
    date_not_working_day = "date.not_working_day"
    number_format = "number.format"
    number_too_small = "number.too_small"
    number_too_large = "number.too_large"
    number_whole = "number.whole"
    parts_exceed_total = "number.parts_exceed_total"
    number_other_unit = "number.other_unit"
    text_too_long = "text.too_long"
    choice_unknown = "choice.unknown"
    id_type_mismatch = "id_type.mismatch"
    applicant_kind_not_allowed = "applicant_kind.not_allowed"
    representative_required = "representative.required"
    agent_not_allowed = "agent.not_allowed"
    materials_required = "materials.required"


MESSAGES: dict[Reason, str] = {
    Reason.required: N_("这一项必须填写。"),
    Reason.id_length: N_("居民身份证号码应为 18 位，您输入了 {length} 位。"),
    Reason.id_chars: N_("居民身份证号码只能由数字组成，最后一位可以是 X。"),
    Reason.id_birth_date: N_("号码中的出生日期不是有效的日期，请核对第 7 至 14 位。"),
    Reason.id_birth_future: N_("号码中的出生日期晚于今天，请核对第 7 至 14 位。"),
    Reason.id_checksum: N_("居民身份证号码的校验位不符，请逐位核对号码。"),
    Reason.uscc_length: N_("统一社会信用代码应为 18 位，您输入了 {length} 位。"),
    Reason.uscc_chars: N_("统一社会信用代码只能包含数字和大写字母，不使用 I、O、S、V、Z。"),
    Reason.uscc_region: N_("统一社会信用代码的第 3 至 8 位应为数字（行政区划码）。"),
    Reason.uscc_checksum: N_("统一社会信用代码的校验位不符，请逐位核对代码。"),
    Reason.document_is_resident_id: N_("这是居民身份证号码：请在证件类型中选择“居民身份证”。"),
    Reason.document_checksum: N_("证件号码的校验位不符，请逐位核对号码。"),
    Reason.passport_format: N_(
        "护照号码为 9 位：字母 E 或 G 加 8 位数字，或 E 加一个字母再加 7 位数字，例如 E12345678、EA1234567。"
    ),
    Reason.hk_macao_permit_format: N_(
        "通行证号码为字母 H 或 M 加 8 位数字，例如 H12345678；旧证末尾的 2 位换证次数可以不填。"
    ),
    Reason.taiwan_permit_format: N_("通行证号码为 8 位数字，例如 12345678；旧证后面的签发次数和括号内的字母可以不填。"),
    Reason.residence_permit_format: N_(
        "居住证号码为 18 位，以 810000（香港）、820000（澳门）或 830000（台湾）开头，最后一位可能是 X。"
    ),
    Reason.permanent_residence_format: N_("永久居留身份证号码为 18 位、以 9 开头，旧证为 3 个字母加 12 位数字。"),
    Reason.foreign_passport_format: N_("护照号码由 5 至 15 个字母和数字组成，请照护照资料页上印的号码填写。"),
    Reason.letter_number_format: N_("编号的格式不对，请照承诺书上印的编号填写。"),
    Reason.verify_code_format: N_("核验码的格式不对：它由 8 个字母或数字组成，请照承诺书上印的核验码填写。"),
    Reason.phone_invalid: N_("请输入 11 位手机号码，例如 13800000000，可带 +86。"),
    Reason.name_length: N_("姓名或名称应为 {minimum} 至 {maximum} 个字符。"),
    Reason.name_chars: N_("姓名只能包含文字、空格和间隔号“·”，不能有数字或其他符号。"),
    Reason.name_mixed: N_("姓名请只用一种文字书写，例如全部用汉字或全部用维吾尔文。"),
    Reason.org_name_chars: N_("名称中含有不允许的符号。"),
    Reason.date_format: N_("请输入日期，例如 {example}，也可以写 12月20日。"),
    Reason.date_invalid: N_("这个日期不存在，请核对年、月、日。"),
    Reason.date_future: N_("日期不能晚于今天。"),
    Reason.date_past: N_("日期不能早于今天。"),
    Reason.date_too_late: N_("日期不能晚于 {latest}。"),
    Reason.date_not_working_day: N_("{day} 不是工作日，窗口不办公：请选一个工作日。"),
    Reason.number_format: N_("请输入一个数字，例如 3 或 1500.50。"),
    Reason.number_too_small: N_("数值不能小于 {minimum}。"),
    Reason.number_too_large: N_("数值不能大于 {maximum}。"),
    Reason.number_whole: N_("这里要填整数，例如 3。"),
    Reason.parts_exceed_total: N_("{parts}加起来不能超过{total}，请核对这几项。"),
    Reason.number_other_unit: N_("请只填数字，单位是{unit}。"),
    Reason.text_too_long: N_("内容不能超过 {maximum} 个字符，您输入了 {length} 个。"),
    Reason.choice_unknown: N_("请从列出的选项中选择。"),
    Reason.id_type_mismatch: N_(
        "证件类型与申请人类型不符：个人使用本人的身份证件，企业、组织和个体工商户使用统一社会信用代码。"
    ),
    Reason.applicant_kind_not_allowed: N_("本事项不接受这一类申请人作出承诺。"),
    Reason.representative_required: N_("企业和组织须填写法定代表人（负责人）姓名。"),
    Reason.agent_not_allowed: N_("本事项必须由申请人本人作出承诺，不可代为承诺。"),
    Reason.materials_required: N_("请至少选择一项。"),
}


class Invalid(ValueError):
    """An answer that fails validation, with the reason and what the message needs."""

    def __init__(self, reason: Reason, field: str = "", **params: Any) -> None:
        super().__init__(f"{reason.value}{f' ({field})' if field else ''}")
        self.reason = reason
        self.field = field
        self.params = params

    def message(self, gettext: Any, lang: str = "zh") -> str:
        """The reason in the reader's language, given that language's gettext; a catalogue text
        among the params (a question's unit) is taken in that language too."""
        params = {k: v(lang) if callable(v) else v for k, v in self.params.items()}
        return str(gettext(MESSAGES[self.reason])).format(**params)
