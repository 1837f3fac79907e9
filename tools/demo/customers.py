"""The customers and vendors of the demo's wholesaler and consultancy, and their payment habits."""

from __future__ import annotations

WHOLESALE_CUSTOMERS = (
    ("华联超市", "上海华联超市有限公司", 30, 500000, "ar@hualian.example"),
    ("永辉超市", "永辉超市股份有限公司", 45, 600000, "finance@yonghui.example"),
    ("全家便利", "全家便利店(中国)有限公司", 30, 500000, "ap@familymart.example"),
    ("罗森便利", "罗森(中国)投资有限公司", 60, 500000, "ap@lawson.example"),
)
# Postal addresses on the customers' `open` directives, printed on their statements.
CUSTOMER_ADDRESSES = {
    "华联超市": "上海市黄浦区南京东路800号",
    "永辉超市": "福建省福州市鼓楼区湖东路436号",
    "全家便利": "上海市长宁区延安西路2299号",
    "罗森便利": "上海市徐汇区漕溪北路398号",
    "Acme-Robotics": "88 Xinghu Street, Suzhou Industrial Park, Jiangsu 215000",
    "Lotus-Pharma": "1200 Zhangjiang Road, Pudong, Shanghai 201203",
    "Harbor-Logistics": "Harbor Tower, 1 Gangwan Road, Tianjin 300456",
}
WHOLESALE_VENDORS = (
    ("义乌小商品", "义乌小商品城批发部", 30),
    ("宁波食品厂", "宁波海天食品有限公司", 45),
)
CONSULTING_CUSTOMERS = (
    ("Acme-Robotics", "Acme Robotics (Suzhou) Co., Ltd.", 30, 800000, "ap@acme.example"),
    ("Lotus-Pharma", "Lotus Pharmaceutical Ltd.", 45, 600000, "finance@lotus.example"),
    ("Harbor-Logistics", "Harbor Logistics Group", 30, 1200000, "ap@harbor.example"),
)

# How many days after the due date each customer pays (from, to): its payment habit, which
# `beanfirm credit` should read back as ratings A to D. A disputed invoice is paid a further
# DISPUTE_DAYS later.
PAYMENT_HABITS = {
    "华联超市": (-10, 1),
    "永辉超市": (-4, 12),
    "全家便利": (5, 40),
    "罗森便利": (20, 75),
    "Acme-Robotics": (-9, 0),
    "Lotus-Pharma": (0, 25),
    "Harbor-Logistics": (15, 60),
}
DISPUTE_DAYS = 30


def payment_delay(key: str, draw: int) -> int:
    """Scale a draw from -10..25 to the customer's habit (see PAYMENT_HABITS)."""
    low, high = PAYMENT_HABITS[key]
    return low + (draw + 10) * (high - low) // 35
