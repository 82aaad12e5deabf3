"""What follows a revocation (撤销) for a false commitment: the sanction the authority decides.

Seed 003 四(七): the subject's dishonesty is recorded, credit discipline applied and published on
the credit platform; seed 002 二(三): while published, the subject is examined closely and the
commitment route is closed to them. The revoked letter's subject is always put on the list
(api/services/transitions.py); the sanction says what else the authority decided.
"""

from __future__ import annotations

from enum import StrEnum

from forms.validation.reasons import N_


class Sanction(StrEnum):
    record_and_publish = "record_and_publish"  # 纳入失信记录，实施信用惩戒，在信用平台公示
    key_supervision = "key_supervision"  # 列为重点监管对象
    no_commitment_route = "no_commitment_route"  # 不再适用告知承诺制，按原审批程序办理
    refer_for_penalty = "refer_for_penalty"  # 移送有关部门依法处理


# As the authority writes it, in Chinese (authoritative) and, through locales/, in each language.
SANCTIONS: dict[Sanction, str] = {
    Sanction.record_and_publish: N_("纳入失信记录，实施相应的信用惩戒，并在信用平台向社会公示"),
    Sanction.key_supervision: N_("列为重点监管对象，公示期内办理业务时重点审查"),
    Sanction.no_commitment_route: N_("不再适用告知承诺制，今后按原审批程序办理"),
    Sanction.refer_for_penalty: N_("移送有关部门依法依规处理"),
}
