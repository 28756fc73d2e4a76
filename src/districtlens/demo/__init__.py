"""The synthetic demo registry: all 16 districts of Shanghai, enterprises and yearly facts.

Everything generated here is synthetic, made up by a seeded random generator; the import marks it
`synthetic` in the store and anything that shows it says so. Only the road names (roads.yaml) and
the names of the Jing'an pack's named enterprises are real; their codes, addresses and figures are
not.

Profiles (profiles.yaml). Each district gets a share of the city's enterprises and weights over
industry baskets (groups of GB/T 4754-2017 classes); an enterprise draws its district, then its
basket, then a class of the basket. The weights caricature the districts' public positioning:

- Jing'an (310106): calibrated to its 2023 statistical bulletin (docs/demo.md): finance, business
  services, software and data, biopharma head offices, R&D and distribution, headquarters;
  almost no factories (tertiary industry is 97.6 % of its value added); entities by ownership
  type in the bulletin's proportions, multinational regional headquarters at the published rate.
- Huangpu (310101): finance above all, business services, hospitality, trade.
- Xuhui (310104): data, health services, education, culture. Changning (310105): data, business
  services, trade. Putuo (310107): data, trade, logistics. Hongkou (310109): finance, logistics.
- Yangpu (310110): software and data, education, digital security.
- Pudong (310115): integrated circuits, biopharma, finance, aerospace, logistics, trade.
- Minhang (310112): manufacturing, aerospace, IC, biopharma. Jiading (310114): automobiles.
- Baoshan (310113): manufacturing, logistics, chemicals. Jinshan (310116): chemicals.
- Songjiang (310117), Qingpu (310118), Fengxian (310120): manufacturing (Qingpu also logistics).
- Chongming (310151): agriculture, trade and registered service firms.

Each enterprise also gets an ownership type (国有及集体企业, 私营企业, 外商投资企业, 个体工商户: the
bulletins' four groups, in exact quotas of its district's mix) and a headquarters status
(跨国公司地区总部 among foreign-invested enterprises, 总部企业 among other companies). A district's
`secondary` factor scales the odds that an enterprise of a basket takes one of its factory
(secondary-sector) classes and scopes.

Each basket has a typical revenue, tax rate, revenue per employee, R&D intensity and yearly
growth (see `registry._facts` for the formula); COVID years (2020, 2022) dent the baskets marked
`covid`. Registrations grow over time (founding years are drawn with more recent years likelier),
so each district's number of active enterprises rises from 2019 to 2024; about 7 % close.

Addresses are `上海市<district><road><n>号`, written as a real roster would: some with a
pre-merger district name (上海市闸北区... on roads of the former Zhabei, 卢湾区, 南市区, 南汇区,
崇明县), some without district (a road that lies in one district only), and about 1.5 % on a road
that crosses districts, without district: unresolvable on purpose.
"""

from districtlens.demo.registry import COLUMNS, generate_registry, uscc_check_chars

__all__ = ["COLUMNS", "generate_registry", "uscc_check_chars"]
