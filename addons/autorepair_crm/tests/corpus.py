"""Inputs as staff type them, for the tools tests. Data only.

Valid entries are ``(raw, normalised)``; check digits and check characters
were computed once and are stored as literals.
"""

from datetime import date

from ..tools import Reading

# --- VINs -------------------------------------------------------------------

VALID_VINS = [
    # made in China (check digit mandatory)
    ("LFV2A21K9A4012345", "LFV2A21K9A4012345"),  # FAW-Volkswagen
    ("lsgkb54hxhs098765", "LSGKB54HXHS098765"),  # SAIC-GM
    ("LGXC16DF0MA123456", "LGXC16DF0MA123456"),  # BYD
    (" LSVAU6054JN200145 ", "LSVAU6054JN200145"),  # SAIC-Volkswagen
    ("LVS HCAMB5 CF301234", "LVSHCAMB5CF301234"),  # Changan Ford
    ("LHGRT383X-LH100777", "LHGRT383XLH100777"),  # GAC Honda
    (
        "ＬＶＧＢＥ４０Ｋ７ＧＧ０４５６７８",
        "LVGBE40K7GG045678",
    ),  # GAC Toyota, full-width
    ("LFMAP22C2BA567890", "LFMAP22C2BA567890"),  # FAW Toyota
    ("lbv8w3109pm112233", "LBV8W3109PM112233"),  # BMW Brilliance
    ("LE4ZG4JB8NL654321", "LE4ZG4JB8NL654321"),  # Beijing Benz
    (
        "LGBH52E03KY000421\n",
        "LGBH52E03KY000421",
    ),  # Dongfeng Nissan, pasted with a newline
    ("LDC.613P2.9EE111555", "LDC613P29EE111555"),  # Dongfeng Peugeot Citroen
    ("LRWYGCEK0RC987654", "LRWYGCEK0RC987654"),  # Tesla Shanghai
    ("LB378A1Z9SE222333", "LB378A1Z9SE222333"),  # Geely
    ("LZWADAGA4JB445566", "LZWADAGA4JB445566"),  # SAIC-GM-Wuling
    ("LSJZ14U67LS009988", "LSJZ14U67LS009988"),  # SAIC MG
    ("LVHRW1836HE778899", "LVHRW1836HE778899"),  # Dongfeng Honda
    ("LVVDB11B6KD334455", "LVVDB11B6KD334455"),  # Chery
    ("LGWEF4A53MF667788", "LGWEF4A53MF667788"),  # Great Wall
    ("LS5A3DKE8PA123123", "LS5A3DKE8PA123123"),  # Changan
    ("LS5　A3DKE8PA123123", "LS5A3DKE8PA123123"),  # ideographic space
    # imports with a valid check digit
    ("WDDWF4KB0JR456789", "WDDWF4KB0JR456789"),  # Mercedes-Benz
    ("wba8e9101hk123987", "WBA8E9101HK123987"),  # BMW
    ("JTDKN3DU8A0112233", "JTDKN3DU8A0112233"),  # Toyota
    ("5YJ3E1EA2KF317000", "5YJ3E1EA2KF317000"),  # Tesla Fremont
    ("WVW ZZZ 1K7 BM000123", "WVWZZZ1K7BM000123"),  # Volkswagen
    ("WAUZZZF49NA045612", "WAUZZZF49NA045612"),  # Audi
    ("JHMGK5849XS013579", "JHMGK5849XS013579"),  # Honda
    ("KMHD841C9LU246810", "KMHD841C9LU246810"),  # Hyundai
    ("SALGA2FE2MA135791", "SALGA2FE2MA135791"),  # Land Rover
    ("YV1LFA2V4M1010101", "YV1LFA2V4M1010101"),  # Volvo
    ("WP0AB2995KS112358", "WP0AB2995KS112358"),  # Porsche
    ("1HGCV1F38LA021345", "1HGCV1F38LA021345"),  # Honda USA
    ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # the ISO 3779 textbook example
]

# imports whose position 9 is not a check digit: accepted, flagged
VALID_VINS_WITHOUT_CHECK_DIGIT = [
    ("WDDWF4KB1JR456789", "WDDWF4KB1JR456789"),
    ("WVWZZZ1KZBM000123", "WVWZZZ1KZBM000123"),
    ("jtdkn3du5a0112233", "JTDKN3DU5A0112233"),
    ("VF1RFB00X65432101", "VF1RFB00X65432101"),
    ("ZFF79ALA4J0234567", "ZFF79ALA4J0234567"),
]

INVALID_VINS = [
    "",
    "   ",
    "-",
    "LFV2A21K9A401234",  # 16 characters, a digit missing
    "LFV2A21K9A40123456",  # 18 characters, a digit repeated
    "LFV2A21K9A4012",
    "WDDWF4KB0JR4567890",
    "LFV2A21K9A4O12345",  # O typed for 0
    "LSGKB54HXHS098765O",  # 18 with a trailing O
    "LSGKB54HXHSO98765",  # O typed for 0
    "LGXC16DF0MA12345I",  # I typed for 1
    "IGXC16DF0MA123456",  # I typed for L
    "WDDWF4KBQJR456789",  # Q
    "5YJ3E1EA2KF3I7000",  # I typed for 1
    "LFV2A21K8A4012345",  # China-made, wrong check digit
    "LSGKB54H9HS098765",
    "LGXC16DF1MA123456",
    "LSVAU6054JN200154",  # two serial digits swapped
    "LVSHCAMB5CF310234",
    "LHGRT383XLH100778",  # last digit mistyped
    "LRWYGCEKORC987654",  # O for the 0 check digit
    "LFV2A21K9A4012345车",
    "车架号LFV2A21K9A4012345",
    "ＬＦＶ２Ａ２１Ｋ９Ａ４０１２３４",  # full-width, 16 characters
    "LFV2A21K9A4012_45",
    "LFV2A21K9A4012*45",
    "LFV2A21K9A4012/45",
    "LFV2A21K9Ä4012345",
    "N/A",
    "无",
    "00000000000000000O",
    "LFV2A21K9A4012345LFV2A21K9A4012345",  # pasted twice
]

# --- license plates ---------------------------------------------------------

VALID_PLATES = [
    ("川A12345", "川A12345"),
    (" 川a 12345 ", "川A12345"),
    ("川Ａ１２３４５", "川A12345"),
    ("川A·12345", "川A12345"),
    ("京N·8M9K7", "京N8M9K7"),
    ("沪A-B1234", "沪AB1234"),
    ("渝B 3K5P8", "渝B3K5P8"),
    ("津C.88888", "津C88888"),
    ("冀F•7Y2W3", "冀F7Y2W3"),
    ("豫a9z8x7", "豫A9Z8X7"),
    ("云A0001M", "云A0001M"),
    ("辽B12K45", "辽B12K45"),
    ("黑A·E5678", "黑AE5678"),
    ("湘A8H8H8", "湘A8H8H8"),
    ("皖Ｂ ２Ｘ７９９", "皖B2X799"),
    ("新A12345", "新A12345"),
    ("苏E·T7P61", "苏ET7P61"),
    ("浙a·3v9r2", "浙A3V9R2"),
    ("赣A55555", "赣A55555"),
    ("晋A12345", "晋A12345"),
    ("蒙B6K666", "蒙B6K666"),
    ("吉A98765", "吉A98765"),
    ("闽D·M3L56", "闽DM3L56"),
    ("贵A 1C2D3", "贵A1C2D3"),
    ("青A00123", "青A00123"),
    ("藏A12345", "藏A12345"),
    ("宁A8U888", "宁A8U888"),
    ("琼B23456", "琼B23456"),
    ("鄂A·7Q3W2", "鄂A7Q3W2"),
    ("桂C 5 0 5 0 5", "桂C50505"),
    ("甘A-12-345", "甘A12345"),
    ("陕A·00001D", "陕A00001D"),  # large new-energy
    ("川A12345D", "川A12345D"),
    ("粤B 12345 F", "粤B12345F"),
    ("川AD12345", "川AD12345"),  # small new-energy
    ("川A·D12345", "川AD12345"),
    ("粤B DF1234", "粤BDF1234"),
    ("沪AF-12345", "沪AF12345"),
    ("京ad12345", "京AD12345"),
    ("桂AK58888", "桂AK58888"),
    ("甘AE00010", "甘AE00010"),
    ("川A1234学", "川A1234学"),  # special plates
    ("粤Z·1234港", "粤Z1234港"),
    ("粤Z1A23澳", "粤Z1A23澳"),
    ("沪A1234警", "沪A1234警"),
    ("京A·1234领", "京A1234领"),
    ("苏E-1234挂", "苏E1234挂"),
    ("浙A1234试", "浙A1234试"),
    ("鲁B1234超", "鲁B1234超"),
]

INVALID_PLATES = [
    "",
    "   ",
    "·",
    "A12345",  # province missing
    "港A12345",
    "台A12345",
    "四川A12345",
    "chuanA12345",
    "WJ0112345",  # armed police plates are out of scope
    "使014578",
    "川A1234",  # 6 characters
    "川A",
    "川Ａ１２３４",
    "川A12 34",
    "川A1234567",  # 9 characters
    "川A12345DD",
    "川AI2345",  # I typed for 1
    "川A12O45",  # O typed for 0
    "川I12345",
    "川A1234O",
    "川ADI1234",
    "川AD1O345",
    "川1A2345",  # issuing letter missing
    "川A1234*",
    "川A12_45",
    "川AZ12345",  # Z is no new-energy letter
    "川A12345Z",
    "川A123456",  # 8 characters without a new-energy letter
    "川AD1234A",
    "川A1234使",  # unknown suffix
    "川A1234港港",
    "川A1234😀",
    "川A1234ä",
    "川川12345",
]

# --- phones -----------------------------------------------------------------

# mobiles: valid in a mobile field and in a phone field
VALID_PHONES = [
    ("13800138000", "+8613800138000"),
    ("138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086 13800138000", "+8613800138000"),
    ("8613800138000", "+8613800138000"),
    ("86 138 0013 8000", "+8613800138000"),
    ("(+86)13800138000", "+8613800138000"),
    ("+86 (0) 138 0013 8000", "+8613800138000"),
    ("１３８ ００１３ ８０００", "+8613800138000"),
    ("＋８６１３８００１３８０００", "+8613800138000"),
    (" 13800138000 ", "+8613800138000"),
    ("13012345678", "+8613012345678"),
    ("131 2345 6789", "+8613123456789"),
    ("132-2345-6789", "+8613223456789"),
    ("133 0028 8888", "+8613300288888"),
    ("134 3456 7890", "+8613434567890"),
    ("135 8888 0000", "+8613588880000"),
    ("136 0000 1111", "+8613600001111"),
    ("137 1234 5678", "+8613712345678"),
    ("139 8000 1234", "+8613980001234"),
    ("145 1234 5678", "+8614512345678"),
    ("147 1234 5678", "+8614712345678"),
    ("150 2800 2800", "+8615028002800"),
    ("151 1234 5678", "+8615112345678"),
    ("152 1234 5678", "+8615212345678"),
    ("153 1234 5678", "+8615312345678"),
    ("155 1234 5678", "+8615512345678"),
    ("156 1234 5678", "+8615612345678"),
    ("157 1234 5678", "+8615712345678"),
    ("158 1234 5678", "+8615812345678"),
    ("159 1234 5678", "+8615912345678"),
    ("166 1234 5678", "+8616612345678"),
    ("170 1234 5678", "+8617012345678"),
    ("173 1234 5678", "+8617312345678"),
    ("175 1234 5678", "+8617512345678"),
    ("176 1234 5678", "+8617612345678"),
    ("177 1234 5678", "+8617712345678"),
    ("178 1234 5678", "+8617812345678"),
    ("180 1234 5678", "+8618012345678"),
    ("181 1234 5678", "+8618112345678"),
    ("182 1234 5678", "+8618212345678"),
    ("183 1234 5678", "+8618312345678"),
    ("184 1234 5678", "+8618412345678"),
    ("185 1234 5678", "+8618512345678"),
    ("186 1234 5678", "+8618612345678"),
    ("187 1234 5678", "+8618712345678"),
    ("188 1234 5678", "+8618812345678"),
    ("189 1234 5678", "+8618912345678"),
    ("191 1234 5678", "+8619112345678"),
    ("193 1234 5678", "+8619312345678"),
    ("195 1234 5678", "+8619512345678"),
    ("198 1234 5678", "+8619812345678"),
    ("199 1234 5678", "+8619912345678"),
    # foreign mobiles with their country code
    ("+852 9123 4567", "+85291234567"),  # Hong Kong
    ("+853 6612 3456", "+85366123456"),  # Macao
    ("+886 912 345 678", "+886912345678"),  # Taiwan
    ("+65 9123 4567", "+6591234567"),
    ("+81 90-1234-5678", "+819012345678"),
    ("+44 7911 123456", "+447911123456"),
    ("+1 650 253 0000", "+16502530000"),  # US numbers may be either kind
]

# landlines and service numbers: valid in a phone field, refused in a mobile field
VALID_LANDLINES = [
    ("028-8888 8888", "+862888888888"),  # Chengdu
    ("02888888888", "+862888888888"),
    ("(028)88888888", "+862888888888"),
    ("+86 28 8888 8888", "+862888888888"),
    ("010-6552 9988", "+861065529988"),  # Beijing
    ("0086-10-6552-9988", "+861065529988"),
    ("021-6321 0000", "+862163210000"),  # Shanghai
    ("0755-8888 6666", "+8675588886666"),  # Shenzhen
    ("(020)38888888", "+862038888888"),  # Guangzhou
    ("400-810-8888", "+864008108888"),  # service hotline
    ("+852 2123 4567", "+85221234567"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+49 30 1234567", "+49301234567"),
]

# refused in a mobile field
INVALID_PHONES = [
    "12345678901",  # 12x is no mobile range
    "11012345678",
    "10012345678",
    "+86 12345678901",
    "1380013800",  # 10 digits
    "138001380000",  # 12 digits
    "138-0013-800",
    "１３８００１３８０",
    "13800138000 / 13900139000",  # two numbers in one field
    "138 0013 8000 转 8",
    "13800138000abc",
    "1380013800O",  # O typed for 0
    "18O01234567",
    "1380013800l",  # l typed for 1
    "14012345678",  # unassigned range
    "15412345678",
    "10086",  # carrier hotline
    "95588",  # bank hotline
    "110",
    "0",
    "00000000000",
    "2345678",  # landline without area code
    "+86",
    "+",
    "-",
    "N/A",
    "无",
    "+999 1234567",  # no such country
    "0852 91234567",  # Hong Kong dialled with 0 instead of 00
    "028-8888 8888",  # landlines, not mobiles
    "+86 28 8888 8888",
    "400-810-8888",
    "+44 20 7946 0958",
]

# --- resident identity numbers ------------------------------------------------

# the day the birth-date plausibility of the resident ID corpus is judged on
RESIDENT_ID_TODAY = date(2025, 6, 1)

VALID_RESIDENT_IDS = [
    ("11010519491231002X", "11010519491231002X"),  # the GB 11643 example
    ("11010519491231002x", "11010519491231002X"),
    ("110105 19491231 002X", "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    ("510104198704150312", "510104198704150312"),
    (" 51010419870415003X ", "51010419870415003X"),
    ("51010419870415011x", "51010419870415011X"),
    ("310101197511020588", "310101197511020588"),
    ("440305199202291135", "440305199202291135"),  # born on 29 February
    ("44030520030817002X", "44030520030817002X"),
    ("330106200001012078", "330106200001012078"),
    ("32010219680718346X", "32010219680718346X"),
    ("420106195503050195", "420106195503050195"),
    ("500103199909094728", "500103199909094728"),
    ("610113198306200855", "610113198306200855"),
    ("510107196501016666", "510107196501016666"),
    ("510122200508121285", "510122200508121285"),
    ("370202197809305511", "370202197809305511"),
    ("120101196102110144", "120101196102110144"),
    ("130102199407077754", "130102199407077754"),
    ("410105198811233984", "410105198811233984"),
    ("430104197210162044", "430104197210162044"),
    ("350203199603146238", "350203199603146238"),
    ("530102198105280378", "530102198105280378"),
    ("210102195908044418", "210102195908044418"),
    ("230103194701010099", "230103194701010099"),
    ("650102199306121885", "650102199306121885"),
    ("540102198601010774", "540102198601010774"),
    ("460106200802295126", "460106200802295126"),
    ("450103197712300969", "450103197712300969"),
    ("360102196705193330", "360102196705193330"),
    ("340104200104042682", "340104200104042682"),
    ("14010519530815151X", "14010519530815151X"),
    ("150102199103039023", "150102199103039023"),
    ("52010219840707616X", "52010219840707616X"),
    ("620102197608264879", "620102197608264879"),
    ("640104196906190443", "640104196906190443"),
    ("630104199801207992", "630104199801207992"),
    ("810000199001011230", "810000199001011230"),  # Hong Kong resident permit
    ("510122190506010112", "510122190506010112"),  # exactly 120 years old
    ("37020220250601012X", "37020220250601012X"),  # born today
]

INVALID_RESIDENT_IDS = [
    "",
    "   ",
    "110105491231002",  # old 15-digit number
    "510104870415031",
    "11010519491231002",  # 17 characters
    "1101051949123100",
    "11010519491231002XX",  # 19 characters
    "11010519491231002X1",
    "110105-19491231-002X",
    "身份证11010519491231002X",
    "11010519491231002Y",
    "1101051949123100XX",  # X before the last position
    "11O10519491231002X",  # O typed for 0
    "II010519491231002X",
    "11010519491231002*",
    "１１０１０５１９４９１２３１００２＊",
    "11010519900230001X",  # 30 February
    "330106199002290058",  # 29 February of a common year
    "320102190002290068",  # 1900 was not a leap year
    "510104198713150023",  # month 13
    "310101197501000030",  # day 0
    "440305199201320045",  # 32 January
    "120101000000000131",  # no date at all
    "420106203001010078",  # born in 2030
    "500103202506020083",  # born tomorrow
    "610113189901010090",  # born in 1899
    "510107190505310101",  # one day more than 120 years old
    "510104198704150319",  # wrong check character
    "310101197511020589",
    "440305199202291139",
    "330106200001012079",
    "11010519491231002１",
    "32010219680718436X",  # two digits swapped
    "510104198704150321",
    "510104198704150312X",
]

# --- odometer ---------------------------------------------------------------
# (existing readings, new reading); the new reading's neighbours are the
# latest reading dated on or before it and the earliest dated after it

VALID_ODOMETER_SEQUENCES = [
    ([], Reading(date(2024, 1, 10), 12.0, False)),  # first reading at delivery
    (
        [Reading(date(2024, 1, 1), 1000.0, False)],
        Reading(date(2024, 2, 1), 2500.0, False),
    ),
    (
        [
            Reading(date(2024, 1, 1), 1000.0, False),
            Reading(date(2024, 3, 1), 5000.0, False),
        ],
        Reading(date(2024, 2, 1), 3000.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 150000.0, False)],
        Reading(date(2024, 2, 1), 20.0, True),
    ),
    (
        [Reading(date(2024, 1, 1), 1000.0, False)],
        Reading(date(2024, 1, 1), 1800.0, False),
    ),
    (
        [
            Reading(date(2024, 1, 1), 100000.0, False),
            Reading(date(2024, 3, 1), 50.0, True),
        ],
        Reading(date(2024, 2, 1), 101000.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 1000.0, False)],
        Reading(date(2024, 1, 20), 1000.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 1000.0, False)],
        Reading(date(2024, 1, 2), 2500.0, False),
    ),
    (
        [Reading(date(2020, 1, 1), 1999000.0, False)],
        Reading(date(2024, 1, 1), 2000000.0, False),
    ),
    (
        [Reading(date(2024, 5, 1), 8000.0, False)],
        Reading(date(2024, 1, 1), 3000.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 300000.0, False)],
        Reading(date(2024, 1, 31), 312000.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 1000.5, False)],
        Reading(date(2024, 1, 2), 1000.5, False),
    ),
    (
        [
            Reading(date(2024, 1, 1), 150000.0, False),
            Reading(date(2024, 2, 1), 10.0, True),
        ],
        Reading(date(2024, 3, 1), 1510.0, False),
    ),
]

INVALID_ODOMETER_SEQUENCES = [
    ([], Reading(date(2024, 1, 1), -5.0, False)),  # negative
    ([], Reading(date(2024, 1, 1), 12345678.0, False)),  # above any meter
    (
        [Reading(date(2024, 1, 1), 50000.0, False)],
        Reading(date(2024, 2, 1), 5000.0, False),
    ),  # digit missing
    (
        [Reading(date(2024, 1, 1), 50000.0, False)],
        Reading(date(2024, 1, 1), 49999.0, False),
    ),
    (
        [
            Reading(date(2024, 1, 1), 1000.0, False),
            Reading(date(2024, 3, 1), 5000.0, False),
        ],
        Reading(date(2024, 2, 1), 6000.0, False),  # above the later reading
    ),
    (
        [Reading(date(2024, 1, 1), 10000.0, False)],
        Reading(date(2024, 1, 11), 100000.0, False),
    ),  # extra digit
    (
        [Reading(date(2024, 3, 1), 23000.0, False)],
        Reading(date(2024, 4, 1), 230000.0, False),
    ),
    (
        [Reading(date(2024, 6, 1), 8000.0, False)],
        Reading(date(2024, 1, 1), 9000.0, False),
    ),  # back-dated
    (
        [
            Reading(date(2024, 1, 1), 1000.0, False),
            Reading(date(2024, 3, 1), 5000.0, False),
        ],
        Reading(date(2024, 2, 1), 900.0, False),
    ),
    (
        [Reading(date(2024, 1, 1), 150000.0, False)],
        Reading(date(2024, 2, 1), -1.0, True),
    ),
    (
        [
            Reading(date(2024, 1, 1), 150000.0, False),
            Reading(date(2024, 2, 1), 10.0, True),
            Reading(date(2024, 3, 1), 500.0, False),
        ],
        Reading(date(2024, 2, 15), 800.0, False),  # after a new meter, above the later reading
    ),
    (
        [
            Reading(date(2024, 1, 1), 150000.0, False),
            Reading(date(2024, 2, 1), 10.0, True),
        ],
        Reading(date(2024, 3, 1), 5.0, False),  # below the new meter's first reading
    ),
    (
        [Reading(date(2024, 1, 1), 1000.0, False)],
        Reading(date(2024, 1, 2), 2501.0, False),
    ),
]
