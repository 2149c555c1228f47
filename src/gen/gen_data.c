/* gen_data.c — the fixed tables behind the synthetic shop (gen.c): given names and surnames
 * with frequencies, cities with regions and time zones, the catalogue's categories with price
 * ranges, replenishment cycles and complements, and the short texts of reviews and complaints,
 * for the English (en) and Chinese (zh) locales. Data only; no code. */
#include "gen/gen_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STRS(a) {a, N(a)}

/* ---- catalogue: 10 top categories, 40 leaves ------------------------------------------- */

const gen_top gen_tops[] = {
    {"Electronics", "数码", 1.4, {"Lumina", "Voltra", "Nexon", "Kestrel", "Arcwave"},
     {"星耀", "极光", "华锐", "小橙", "云帆"}},
    {"Computers", "电脑办公", 0.9, {"Corebyte", "Inkwell", "Vertex", "Northpeak", "Quill"},
     {"联启", "墨客", "锐智", "北峰", "方舟"}},
    {"Home & Kitchen", "家居厨房", 1.2, {"Hearth & Co", "Brewmaster", "Casa Verde", "Linen Lane", "Pureline"},
     {"暖居", "醇香", "绿宅", "素棉", "净界"}},
    {"Beauty", "美妆个护", 1.1, {"Aurelle", "Bloom Lab", "Silkwave", "Dewdrop", "Verdant"},
     {"花漾", "肌源", "丝语", "露华", "青禾"}},
    {"Fashion", "服饰鞋包", 1.3, {"Northwind", "Urban Fox", "Maple & Pine", "Stride", "Loomis"},
     {"北风", "城狐", "枫松", "步履", "织造"}},
    {"Pets", "宠物", 0.6, {"Happy Paws", "Whisker Co", "Barkley", "Purrfect", "TailWag"},
     {"乐爪", "喵星", "汪汪队", "萌宠家", "摇尾"}},
    {"Baby", "母婴", 0.5, {"Little Sprout", "Cuddle Bee", "Tiny Steps", "Moonbeam", "Nestle Nook"},
     {"小芽", "抱抱熊", "学步", "月光宝", "暖巢"}},
    {"Sports", "运动户外", 0.7, {"Peakform", "Trailhead", "Zenflow", "Sprintex", "Ironclad"},
     {"峰行", "远径", "禅悦", "疾风", "铁甲"}},
    {"Grocery", "食品饮料", 0.8, {"Roastery", "Green Valley", "Golden Grain", "Harvest", "Teahouse"},
     {"烘焙坊", "绿谷", "金穗", "丰收", "茶舍"}},
    {"Books", "图书", 0.5, {"Penguin Lane", "Oakleaf Press", "Bluebird", "Lantern", "Riverstone"},
     {"企鹅", "橡叶", "青鸟", "灯塔", "河石"}},
};
const size_t gen_n_tops = N(gen_tops);

/* complement indices refer to positions in this array: keep them in step when editing */
const gen_leaf gen_leaves[] = {
    /* 0 */ {0, "Cameras", "相机", {"Mirrorless Camera", "Action Camera", "Compact Camera"}, {"微单相机", "运动相机", "卡片相机"},
             150, 2600, 36, 0, 0, 1.0, {1, 2, -1}, {0}, {0}},
    /* 1 */ {0, "Memory Cards", "存储卡", {"SD Card", "microSD Card", "CFexpress Card"}, {"SD卡", "TF卡", "CFexpress卡"},
             8, 120, 20, 0, 1, 0.6, {-1, -1, -1}, {0}, {0}},
    /* 2 */ {0, "Camera Bags", "相机包", {"Camera Backpack", "Sling Bag", "Lens Pouch"}, {"相机双肩包", "单肩摄影包", "镜头袋"},
             20, 190, 18, 0, 0, 0.4, {-1, -1, -1}, {0}, {0}},
    /* 3 */ {0, "Phones", "手机", {"Smartphone", "5G Phone", "Foldable Phone"}, {"智能手机", "5G手机", "折叠屏手机"},
             160, 1500, 36, 0, 0, 1.6, {4, 5, 6}, {0}, {0}},
    /* 4 */ {0, "Phone Cases", "手机壳", {"Phone Case", "Clear Case", "Wallet Case"}, {"手机壳", "透明保护壳", "翻盖皮套"},
             6, 45, 30, 0, 1, 1.0, {-1, -1, -1}, {0}, {0}},
    /* 5 */ {0, "Chargers & Cables", "充电器与数据线", {"USB-C Cable", "Fast Charger", "Power Bank"}, {"Type-C数据线", "快充充电器", "充电宝"},
             6, 80, 30, 0, 1, 1.0, {-1, -1, -1}, {0}, {0}},
    /* 6 */ {0, "Headphones", "耳机", {"Wireless Earbuds", "Over-Ear Headphones", "Sports Earphones"}, {"无线耳机", "头戴式耳机", "运动耳机"},
             15, 420, 32, 0, 0, 1.2, {5, -1, -1}, {0}, {0}},
    /* 7 */ {1, "Laptops", "笔记本电脑", {"Laptop", "Ultrabook", "Gaming Laptop"}, {"笔记本电脑", "轻薄本", "游戏本"},
             320, 2900, 30, 0, 0, 1.0, {8, 9, -1}, {0}, {0}},
    /* 8 */ {1, "Laptop Sleeves", "电脑包", {"Laptop Sleeve 15.6\"", "Laptop Backpack", "Laptop Sleeve 13\""}, {"15.6英寸电脑内胆包", "电脑双肩包", "13英寸电脑内胆包"},
             15, 95, 16, 0, 0, 0.5, {-1, -1, -1}, {0}, {0}},
    /* 9 */ {1, "Mice & Keyboards", "键鼠", {"Wireless Mouse", "Mechanical Keyboard", "Keyboard and Mouse Set"}, {"无线鼠标", "机械键盘", "键鼠套装"},
             10, 190, 26, 0, 0, 0.9, {-1, -1, -1}, {0}, {0}},
    /* 10 */ {1, "Printers", "打印机", {"Inkjet Printer", "Laser Printer", "Photo Printer"}, {"喷墨打印机", "激光打印机", "照片打印机"},
             80, 650, 20, 0, 0, 0.5, {11, 12, -1}, {0}, {0}},
    /* 11 */ {1, "Ink & Toner", "墨盒硒鼓", {"Ink Cartridge", "Toner Cartridge", "Ink Refill Kit"}, {"墨盒", "硒鼓", "填充墨水"},
             15, 95, 20, 60, 1, 0.6, {12, -1, -1}, {"single", "twin pack", "XL", "XL twin pack"}, {"单支装", "双支装", "大容量", "大容量双支装"}},
    /* 12 */ {1, "Paper", "打印纸", {"Copy Paper", "Photo Paper", "Recycled Paper"}, {"复印纸", "相片纸", "再生纸"},
             5, 40, 16, 45, 1, 0.5, {-1, -1, -1}, {"100 sheets", "250 sheets", "500 sheets", "2500 sheets"}, {"100张", "250张", "500张", "2500张整箱"}},
    /* 13 */ {2, "Coffee Machines", "咖啡机", {"Espresso Machine", "Drip Coffee Maker", "Capsule Machine"}, {"意式咖啡机", "滴滤咖啡机", "胶囊咖啡机"},
             60, 950, 24, 0, 0, 0.8, {32, 14, -1}, {0}, {0}},
    /* 14 */ {2, "Coffee Filters", "咖啡滤纸", {"Paper Filters", "Descaler", "Cleaning Tablets"}, {"咖啡滤纸", "除垢剂", "清洁片"},
             3, 18, 12, 60, 1, 0.5, {-1, -1, -1}, {"50 pcs", "100 pcs", "200 pcs", "500 pcs"}, {"50片", "100片", "200片", "500片"}},
    /* 15 */ {2, "Cookware", "锅具", {"Non-Stick Frying Pan", "Cast Iron Skillet", "Stainless Pot"}, {"不粘锅", "铸铁锅", "不锈钢汤锅"},
             20, 320, 30, 0, 0, 1.0, {-1, -1, -1}, {0}, {0}},
    /* 16 */ {2, "Bedding", "床品", {"Duvet Cover Set", "Memory Foam Pillow", "Cotton Sheets"}, {"被套四件套", "记忆棉枕头", "纯棉床单"},
             25, 360, 30, 0, 0, 0.9, {-1, -1, -1}, {0}, {0}},
    /* 17 */ {2, "Cleaning Supplies", "清洁用品", {"Laundry Detergent", "Dish Soap", "Multi-Surface Cleaner"}, {"洗衣液", "洗洁精", "多用途清洁剂"},
             4, 30, 24, 30, 1, 1.0, {-1, -1, -1}, {"500ml", "1L", "2L", "5L"}, {"500ml", "1L", "2L", "5L"}},
    /* 18 */ {3, "Skincare", "护肤", {"Moisturiser", "Vitamin C Serum", "Sunscreen SPF50"}, {"保湿面霜", "维C精华", "防晒霜SPF50"},
             10, 170, 36, 45, 0, 1.2, {19, -1, -1}, {"30ml", "50ml", "100ml", "value set"}, {"30ml", "50ml", "100ml", "超值套装"}},
    /* 19 */ {3, "Face Masks", "面膜", {"Sheet Mask", "Clay Mask", "Sleeping Mask"}, {"补水面膜", "泥膜", "睡眠面膜"},
             5, 42, 24, 30, 1, 0.8, {-1, -1, -1}, {"1 pc", "5 pcs", "10 pcs", "30 pcs"}, {"1片", "5片装", "10片装", "30片装"}},
    /* 20 */ {3, "Makeup", "彩妆", {"Lipstick", "Foundation", "Eyeshadow Palette"}, {"口红", "粉底液", "眼影盘"},
             8, 95, 30, 0, 0, 1.0, {-1, -1, -1}, {0}, {0}},
    /* 21 */ {3, "Hair Care", "洗发护发", {"Shampoo", "Conditioner", "Hair Oil"}, {"洗发水", "护发素", "护发精油"},
             5, 38, 24, 40, 1, 0.9, {-1, -1, -1}, {"250ml", "400ml", "750ml", "1L refill"}, {"250ml", "400ml", "750ml", "1L补充装"}},
    /* 22 */ {4, "Women's Clothing", "女装", {"Wrap Dress", "Knit Cardigan", "Linen Blouse"}, {"连衣裙", "针织开衫", "亚麻衬衫"},
             15, 260, 40, 0, 0, 1.3, {24, -1, -1}, {0}, {0}},
    /* 23 */ {4, "Men's Clothing", "男装", {"Oxford Shirt", "Chino Trousers", "Hoodie"}, {"牛津纺衬衫", "休闲裤", "连帽卫衣"},
             15, 240, 36, 0, 0, 1.0, {24, -1, -1}, {0}, {0}},
    /* 24 */ {4, "Shoes", "鞋靴", {"Leather Sneakers", "Ankle Boots", "Loafers"}, {"真皮小白鞋", "短靴", "乐福鞋"},
             30, 280, 30, 0, 0, 1.0, {25, -1, -1}, {0}, {0}},
    /* 25 */ {4, "Socks", "袜子", {"Cotton Socks", "Ankle Socks", "Wool Socks"}, {"纯棉袜", "船袜", "羊毛袜"},
             4, 22, 16, 0, 1, 0.6, {-1, -1, -1}, {"1 pair", "3 pairs", "5 pairs", "10 pairs"}, {"1双装", "3双装", "5双装", "10双装"}},
    /* 26 */ {5, "Dog Food", "狗粮", {"Dry Dog Food", "Grain-Free Dog Food", "Puppy Food"}, {"成犬粮", "无谷狗粮", "幼犬粮"},
             15, 95, 24, 30, 1, 1.0, {28, -1, -1}, {"2kg", "5kg", "10kg", "15kg"}, {"2kg", "5kg", "10kg", "15kg"}},
    /* 27 */ {5, "Cat Food", "猫粮", {"Dry Cat Food", "Wet Cat Food", "Kitten Food"}, {"成猫粮", "猫罐头", "幼猫粮"},
             12, 85, 24, 30, 1, 1.0, {29, -1, -1}, {"1.5kg", "3kg", "6kg", "10kg"}, {"1.5kg", "3kg", "6kg", "10kg"}},
    /* 28 */ {5, "Dog Toys", "狗玩具", {"Chew Toy", "Rope Toy", "Squeaky Ball"}, {"磨牙玩具", "拔河绳", "发声球"},
             4, 35, 16, 0, 1, 0.5, {-1, -1, -1}, {0}, {0}},
    /* 29 */ {5, "Cat Litter", "猫砂", {"Clumping Litter", "Tofu Litter", "Crystal Litter"}, {"膨润土猫砂", "豆腐猫砂", "水晶猫砂"},
             8, 42, 16, 21, 1, 0.7, {-1, -1, -1}, {"4.5kg", "6kg", "10kg", "3 x 6kg"}, {"4.5kg", "6kg", "10kg", "6kg×3"}},
    /* 30 */ {6, "Diapers", "纸尿裤", {"Diapers Size 3", "Pull-Ups", "Newborn Diapers"}, {"纸尿裤L码", "拉拉裤", "新生儿纸尿裤"},
             15, 65, 20, 14, 1, 1.0, {31, -1, -1}, {"30 ct", "60 ct", "90 ct", "120 ct"}, {"30片", "60片", "90片", "120片"}},
    /* 31 */ {6, "Baby Formula", "奶粉", {"Infant Formula", "Follow-On Formula", "Toddler Milk"}, {"婴儿配方奶粉", "较大婴儿奶粉", "幼儿成长奶粉"},
             20, 65, 20, 21, 1, 0.8, {30, -1, -1}, {"400g", "800g", "900g", "3 x 800g"}, {"400g", "800g", "900g", "800g×3罐"}},
    /* 32 */ {8, "Coffee Beans", "咖啡豆", {"Arabica Coffee Beans", "Espresso Roast", "Decaf Coffee Beans"}, {"阿拉比卡咖啡豆", "意式深烘咖啡豆", "低因咖啡豆"},
             8, 45, 24, 30, 1, 1.0, {14, -1, -1}, {"250g", "500g", "1kg", "2kg"}, {"250g", "500g", "1kg", "2kg"}},
    /* 33 */ {8, "Tea", "茶叶", {"Green Tea", "Oolong Tea", "English Breakfast"}, {"龙井绿茶", "铁观音", "英式红茶"},
             6, 80, 24, 40, 1, 0.9, {-1, -1, -1}, {"50g", "100g", "250g", "500g"}, {"50g", "100g", "250g", "500g"}},
    /* 34 */ {8, "Snacks", "零食", {"Mixed Nuts", "Granola", "Dark Chocolate"}, {"每日坚果", "燕麦脆", "黑巧克力"},
             3, 30, 24, 21, 1, 0.9, {-1, -1, -1}, {"small", "medium", "large", "family pack"}, {"小包装", "中包装", "大包装", "家庭装"}},
    /* 35 */ {7, "Yoga", "瑜伽", {"Yoga Mat", "Yoga Blocks", "Resistance Bands"}, {"瑜伽垫", "瑜伽砖", "弹力带"},
             10, 130, 20, 0, 0, 0.8, {-1, -1, -1}, {0}, {0}},
    /* 36 */ {7, "Running", "跑步", {"Running Shoes", "Running Jacket", "Running Belt"}, {"跑鞋", "跑步夹克", "跑步腰包"},
             20, 230, 26, 0, 0, 1.0, {25, -1, -1}, {0}, {0}},
    /* 37 */ {7, "Protein", "蛋白粉", {"Whey Protein", "Plant Protein", "Protein Bars"}, {"乳清蛋白粉", "植物蛋白粉", "蛋白棒"},
             18, 90, 16, 30, 1, 0.7, {-1, -1, -1}, {"500g", "1kg", "2kg", "5lb"}, {"500g", "1kg", "2kg", "5磅"}},
    /* 38 */ {9, "Fiction", "小说", {"Novel", "Mystery Thriller", "Short Stories"}, {"长篇小说", "悬疑小说", "短篇小说集"},
             6, 32, 30, 0, 1, 1.0, {-1, -1, -1}, {0}, {0}},
    /* 39 */ {9, "Children's Books", "童书", {"Picture Book", "Activity Book", "Bedtime Stories"}, {"绘本", "益智游戏书", "睡前故事"},
             5, 28, 24, 0, 1, 0.8, {-1, -1, -1}, {0}, {0}},
};
const size_t gen_n_leaves = N(gen_leaves);

/* ---- English ----------------------------------------------------------------------------- */

static const gen_name en_first_f[] = {
    {"Emma", 0, 3}, {"Olivia", 0, 3}, {"Ava", 0, 2.5}, {"Sophia", 0, 2.5}, {"Isabella", 0, 2},
    {"Mia", 0, 2}, {"Charlotte", 0, 2}, {"Amelia", 0, 2}, {"Harper", 0, 1.5}, {"Evelyn", 0, 1.5},
    {"Abigail", 0, 1.5}, {"Emily", 0, 2.5}, {"Elizabeth", 0, 2}, {"Sofia", 0, 1}, {"Madison", 0, 1.5},
    {"Avery", 0, 1}, {"Ella", 0, 1.5}, {"Scarlett", 0, 1}, {"Grace", 0, 1.5}, {"Chloe", 0, 1.5},
    {"Victoria", 0, 1}, {"Riley", 0, 1}, {"Aria", 0, 1}, {"Lily", 0, 1.5}, {"Hannah", 0, 1.5},
    {"Zoe", 0, 1}, {"Nora", 0, 1}, {"Lucy", 0, 1}, {"Sarah", 0, 2}, {"Jessica", 0, 2},
    {"Jennifer", 0, 2}, {"Linda", 0, 1.5}, {"Susan", 0, 1.2}, {"Karen", 0, 1.2}, {"Nancy", 0, 1},
    {"Laura", 0, 1.2}, {"Rachel", 0, 1.2}, {"Megan", 0, 1.2}, {"Amy", 0, 1.2}, {"Rebecca", 0, 1.2},
    {"Zoë", "zoe", 0.3}, {"Chloë", "chloe", 0.2}, {"Siobhan", 0, 0.4}, {"Niamh", 0, 0.4}, {"Maria", 0, 1.2},
};
static const gen_name en_first_m[] = {
    {"Liam", 0, 3}, {"Noah", 0, 3}, {"Oliver", 0, 2.5}, {"Elijah", 0, 2}, {"James", 0, 3},
    {"William", 0, 2.5}, {"Benjamin", 0, 2}, {"Lucas", 0, 2}, {"Henry", 0, 1.5}, {"Alexander", 0, 1.5},
    {"Mason", 0, 1.5}, {"Michael", 0, 3}, {"Ethan", 0, 2}, {"Daniel", 0, 2}, {"Jacob", 0, 2},
    {"Logan", 0, 1}, {"Jackson", 0, 1}, {"Sebastian", 0, 1}, {"Jack", 0, 1.5}, {"Aiden", 0, 1},
    {"Owen", 0, 1}, {"Samuel", 0, 1.5}, {"Matthew", 0, 2}, {"Joseph", 0, 2}, {"David", 0, 2.5},
    {"John", 0, 2.5}, {"Robert", 0, 2}, {"Thomas", 0, 2}, {"Charles", 0, 1.5}, {"Christopher", 0, 1.5},
    {"Andrew", 0, 1.5}, {"Joshua", 0, 1.2}, {"Ryan", 0, 1.2}, {"Nathan", 0, 1}, {"Kevin", 0, 1},
    {"Brian", 0, 1}, {"George", 0, 1.2}, {"Harry", 0, 1.2}, {"Connor", 0, 0.8}, {"Sean", 0, 0.8},
    {"José", "jose", 0.6}, {"Luis", 0, 0.8}, {"Carlos", 0, 0.8}, {"Patrick", 0, 0.8}, {"Mark", 0, 1.2},
};
static const gen_name en_last[] = {
    {"Smith", 0, 5}, {"Johnson", 0, 4}, {"Williams", 0, 3.5}, {"Brown", 0, 3.5}, {"Jones", 0, 3.5},
    {"Garcia", 0, 3}, {"Miller", 0, 3}, {"Davis", 0, 3}, {"Rodriguez", 0, 2.5}, {"Martinez", 0, 2.5},
    {"Hernandez", 0, 2}, {"Lopez", 0, 2}, {"Gonzalez", 0, 2}, {"Wilson", 0, 2}, {"Anderson", 0, 2},
    {"Thomas", 0, 2}, {"Taylor", 0, 2.5}, {"Moore", 0, 2}, {"Jackson", 0, 2}, {"Martin", 0, 2},
    {"Lee", 0, 2}, {"Perez", 0, 1.5}, {"Thompson", 0, 1.5}, {"White", 0, 1.5}, {"Harris", 0, 1.5},
    {"Sanchez", 0, 1.5}, {"Clark", 0, 1.5}, {"Ramirez", 0, 1.2}, {"Lewis", 0, 1.5}, {"Robinson", 0, 1.5},
    {"Walker", 0, 1.5}, {"Young", 0, 1.2}, {"Allen", 0, 1.2}, {"King", 0, 1.2}, {"Wright", 0, 1.2},
    {"Scott", 0, 1.2}, {"Torres", 0, 1}, {"Nguyen", 0, 1.2}, {"Hill", 0, 1}, {"Flores", 0, 1},
    {"Green", 0, 1}, {"Adams", 0, 1}, {"Nelson", 0, 1}, {"Baker", 0, 1}, {"Hall", 0, 1},
    {"Rivera", 0, 1}, {"Campbell", 0, 1}, {"Mitchell", 0, 1}, {"Carter", 0, 1}, {"Roberts", 0, 1},
    {"Evans", 0, 1.2}, {"Hughes", 0, 1}, {"Edwards", 0, 1}, {"Patel", 0, 1.2}, {"Khan", 0, 0.8},
    {"Murphy", 0, 1}, {"Kelly", 0, 0.8}, {"Cooper", 0, 0.8}, {"Ward", 0, 0.8}, {"Morris", 0, 0.8},
    {"O'Brien", 0, 0.6}, {"O'Connor", 0, 0.5}, {"MacDonald", 0, 0.5}, {"Chen", 0, 0.8}, {"Kim", 0, 0.8},
};

static const gen_city en_cities[] = {
    {"New York", "NY", "US", "America/New_York", -300, {"212", "718", "917"}, 8.4},
    {"Los Angeles", "CA", "US", "America/Los_Angeles", -480, {"213", "310", "323"}, 3.9},
    {"Chicago", "IL", "US", "America/Chicago", -360, {"312", "773", "872"}, 2.7},
    {"Houston", "TX", "US", "America/Chicago", -360, {"713", "281", "832"}, 2.3},
    {"Phoenix", "AZ", "US", "America/Phoenix", -420, {"602", "480", "623"}, 1.6},
    {"Philadelphia", "PA", "US", "America/New_York", -300, {"215", "267", "445"}, 1.6},
    {"San Antonio", "TX", "US", "America/Chicago", -360, {"210", "726", 0}, 1.4},
    {"San Diego", "CA", "US", "America/Los_Angeles", -480, {"619", "858", 0}, 1.4},
    {"Dallas", "TX", "US", "America/Chicago", -360, {"214", "469", "972"}, 1.3},
    {"Austin", "TX", "US", "America/Chicago", -360, {"512", "737", 0}, 1.0},
    {"San Francisco", "CA", "US", "America/Los_Angeles", -480, {"415", "628", 0}, 0.9},
    {"Seattle", "WA", "US", "America/Los_Angeles", -480, {"206", 0, 0}, 0.8},
    {"Denver", "CO", "US", "America/Denver", -420, {"303", "720", 0}, 0.7},
    {"Boston", "MA", "US", "America/New_York", -300, {"617", "857", 0}, 0.7},
    {"Washington", "DC", "US", "America/New_York", -300, {"202", 0, 0}, 0.7},
    {"Nashville", "TN", "US", "America/Chicago", -360, {"615", "629", 0}, 0.7},
    {"Las Vegas", "NV", "US", "America/Los_Angeles", -480, {"702", "725", 0}, 0.6},
    {"Portland", "OR", "US", "America/Los_Angeles", -480, {"503", "971", 0}, 0.6},
    {"Detroit", "MI", "US", "America/Detroit", -300, {"313", 0, 0}, 0.6},
    {"Atlanta", "GA", "US", "America/New_York", -300, {"404", "678", "470"}, 0.5},
    {"Miami", "FL", "US", "America/New_York", -300, {"305", "786", 0}, 0.5},
    {"Minneapolis", "MN", "US", "America/Chicago", -360, {"612", 0, 0}, 0.4},
    {"St. Louis", "MO", "US", "America/Chicago", -360, {"314", 0, 0}, 0.3},
    {"Salt Lake City", "UT", "US", "America/Denver", -420, {"801", "385", 0}, 0.3},
    {"Honolulu", "HI", "US", "Pacific/Honolulu", -600, {"808", 0, 0}, 0.3},
    {"Anchorage", "AK", "US", "America/Anchorage", -540, {"907", 0, 0}, 0.2},
    {"London", "England", "GB", "Europe/London", 0, {0}, 4.0},
    {"Manchester", "England", "GB", "Europe/London", 0, {0}, 1.0},
    {"Birmingham", "England", "GB", "Europe/London", 0, {0}, 1.0},
    {"Leeds", "England", "GB", "Europe/London", 0, {0}, 0.7},
    {"Bristol", "England", "GB", "Europe/London", 0, {0}, 0.5},
    {"Newcastle upon Tyne", "England", "GB", "Europe/London", 0, {0}, 0.4},
    {"Glasgow", "Scotland", "GB", "Europe/London", 0, {0}, 0.6},
    {"Edinburgh", "Scotland", "GB", "Europe/London", 0, {0}, 0.5},
    {"Cardiff", "Wales", "GB", "Europe/London", 0, {0}, 0.4},
    {"Belfast", "Northern Ireland", "GB", "Europe/London", 0, {0}, 0.3},
};

static const char *const en_occupations[] = {
    "Software Engineer", "Teacher", "Nurse", "Accountant", "Sales Manager", "Student",
    "Graphic Designer", "Retired", "Marketing Specialist", "Physician", "Lawyer", "Electrician",
    "Chef", "Consultant", "Driver", "Pharmacist", "Architect", "Writer", "Engineer, Civil",
    "Homemaker", "Self-employed", "Project Manager", "Data Analyst", "Customer Service Representative",
};
static const char *const en_domains[] = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com",
                                         "icloud.com", "aol.com", "proton.me", "comcast.net"};
static const double en_domain_w[] = {45, 12, 10, 9, 12, 4, 3, 5};
static const char *const en_channels[] = {"web", "app", "store", "phone"};
static const double en_channel_w[] = {50, 35, 11, 4};
static const char *const en_payments[] = {"card", "paypal", "apple_pay", "google_pay", "gift_card"};
static const double en_payment_w[] = {58, 20, 12, 7, 3};
/* code; kind: P = percent of subtotal, F = fixed amount over a threshold (see gen.c) */
/* code, percent off the subtotal, or a fixed amount (USD) from a threshold (USD); first order
 * only; the month a seasonal coupon runs in */
static const gen_coupon en_coupons[] = {
    {"WELCOME10", 10, 0, 0, 1, 0}, {"SAVE10", 10, 0, 0, 0, 0}, {"SAVE15", 15, 0, 0, 0, 0},
    {"VIP20", 20, 0, 0, 0, 0}, {"FLASH20", 20, 0, 0, 0, 0}, {"SPEND50GET5", 0, 5, 50, 0, 0},
    {"FREESHIP", 0, 6.99, 35, 0, 0}, {"BLACKFRIDAY25", 25, 0, 0, 0, 11},
};
static const char *const en_rev1[] = {"Terrible, arrived broken.", "Waste of money, do not buy.",
    "Broke on day one; support was \"helpful\" only in name.", "Stopped working after two days, returned it."};
static const char *const en_rev2[] = {"Not as described, disappointed.", "Poor quality, stopped working after a week.",
    "Size runs small, had to return.", "Cheap materials, feels flimsy."};
static const char *const en_rev3[] = {"It's okay, nothing special.", "Average quality for the price.",
    "Does the job, but feels cheap.", "Fine, but the colour is different from the photo."};
static const char *const en_rev4[] = {"Good product, a bit pricey.", "Works well, packaging could be better.",
    "Nice, but delivery took a while.", "Solid purchase, would recommend."};
static const char *const en_rev5[] = {"Great quality, exactly as described.", "Love it! Will buy again.",
    "Fast delivery and works perfectly.", "Excellent value for money.", "Five stars, my second one already.",
    "Perfect gift, my family loved it."};
static const char *const en_complaints[] = {"Package arrived late and damaged.",
    "Wrong item delivered, still waiting for a refund.", "Charged twice for one order.",
    "Refund has not arrived after two weeks.", "Support said \"we can't help\", very unhappy.",
    "Item was missing from the parcel, please advise."};
static const char *const en_survey[] = {"More colour options, please.", "Cheaper shipping, please.",
    "The app is slow at checkout.", "Happy overall.", "Faster delivery to my area, please.",
    "Loyalty points are hard to use."};

const gen_locale_tables gen_tables_en = {
    en_first_f, en_first_m, en_last, N(en_first_f), N(en_first_m), N(en_last),
    en_cities, N(en_cities),
    STRS(en_occupations), STRS(en_domains), STRS(en_channels), STRS(en_payments), en_coupons, N(en_coupons),
    en_channel_w, en_payment_w, en_domain_w,
    {STRS(en_rev1), STRS(en_rev2), STRS(en_rev3), STRS(en_rev4), STRS(en_rev5)},
    STRS(en_complaints), STRS(en_survey),
    {"Lite", "", "Pro", "Ultra"},
    "USD",
};

/* ---- Chinese ----------------------------------------------------------------------------- */

/* the most common surnames, weights roughly by population share (per cent) */
static const gen_name zh_last[] = {
    {"王", "wang", 7.1}, {"李", "li", 7.0}, {"张", "zhang", 6.7}, {"刘", "liu", 5.4}, {"陈", "chen", 4.5},
    {"杨", "yang", 3.1}, {"黄", "huang", 2.2}, {"赵", "zhao", 2.0}, {"吴", "wu", 2.0}, {"周", "zhou", 1.9},
    {"徐", "xu", 1.5}, {"孙", "sun", 1.5}, {"马", "ma", 1.5}, {"朱", "zhu", 1.3}, {"胡", "hu", 1.3},
    {"郭", "guo", 1.2}, {"何", "he", 1.2}, {"高", "gao", 1.1}, {"林", "lin", 1.1}, {"罗", "luo", 0.9},
    {"郑", "zheng", 0.9}, {"梁", "liang", 0.9}, {"谢", "xie", 0.8}, {"宋", "song", 0.8}, {"唐", "tang", 0.8},
    {"许", "xu", 0.7}, {"韩", "han", 0.7}, {"冯", "feng", 0.7}, {"邓", "deng", 0.7}, {"曹", "cao", 0.7},
    {"彭", "peng", 0.6}, {"曾", "zeng", 0.6}, {"肖", "xiao", 0.6}, {"田", "tian", 0.6}, {"董", "dong", 0.5},
    {"袁", "yuan", 0.5}, {"潘", "pan", 0.5}, {"于", "yu", 0.5}, {"蒋", "jiang", 0.5}, {"蔡", "cai", 0.5},
    {"余", "yu", 0.5}, {"杜", "du", 0.5}, {"叶", "ye", 0.4}, {"程", "cheng", 0.4}, {"苏", "su", 0.4},
    {"魏", "wei", 0.4}, {"吕", "lv", 0.4}, {"丁", "ding", 0.4}, {"任", "ren", 0.4}, {"沈", "shen", 0.4},
    {"欧阳", "ouyang", 0.05}, {"司马", "sima", 0.02}, {"诸葛", "zhuge", 0.01},
};
static const gen_name zh_first_f[] = {
    {"芳", "fang", 2}, {"娜", "na", 2}, {"敏", "min", 2}, {"静", "jing", 2}, {"丽", "li", 2},
    {"艳", "yan", 1.5}, {"娟", "juan", 1.5}, {"霞", "xia", 1.2}, {"婷", "ting", 1.5}, {"雪", "xue", 1.2},
    {"慧", "hui", 1.2}, {"颖", "ying", 1}, {"欣怡", "xinyi", 1.5}, {"梓涵", "zihan", 1.2}, {"诗涵", "shihan", 1.2},
    {"雨桐", "yutong", 1.2}, {"思雨", "siyu", 1}, {"佳怡", "jiayi", 1}, {"子萱", "zixuan", 1}, {"晓燕", "xiaoyan", 1},
    {"丽华", "lihua", 0.8}, {"秀英", "xiuying", 1}, {"桂英", "guiying", 0.8}, {"玉兰", "yulan", 0.8}, {"美玲", "meiling", 0.8},
    {"雅琪", "yaqi", 0.8}, {"梦瑶", "mengyao", 0.8}, {"晓彤", "xiaotong", 0.8}, {"可馨", "kexin", 0.8}, {"文静", "wenjing", 0.8},
};
static const gen_name zh_first_m[] = {
    {"伟", "wei", 2.5}, {"强", "qiang", 2}, {"磊", "lei", 2}, {"军", "jun", 2}, {"洋", "yang", 1.5},
    {"勇", "yong", 1.5}, {"杰", "jie", 1.5}, {"涛", "tao", 1.5}, {"明", "ming", 1.5}, {"超", "chao", 1.5},
    {"浩然", "haoran", 1.2}, {"子轩", "zixuan", 1.2}, {"宇航", "yuhang", 1}, {"俊杰", "junjie", 1}, {"志强", "zhiqiang", 1},
    {"建华", "jianhua", 1}, {"建国", "jianguo", 0.8}, {"国强", "guoqiang", 0.8}, {"晓东", "xiaodong", 0.8}, {"文博", "wenbo", 0.8},
    {"博文", "bowen", 0.8}, {"梓豪", "zihao", 0.8}, {"一鸣", "yiming", 0.8}, {"天佑", "tianyou", 0.6}, {"嘉豪", "jiahao", 0.8},
    {"鹏", "peng", 1.2}, {"辉", "hui", 1.2}, {"斌", "bin", 1}, {"刚", "gang", 1}, {"鑫", "xin", 1},
};

static const gen_city zh_cities[] = {
    {"上海市", "上海市", "CN", "Asia/Shanghai", 480, {0}, 6.0},
    {"北京市", "北京市", "CN", "Asia/Shanghai", 480, {0}, 5.5},
    {"广州市", "广东省", "CN", "Asia/Shanghai", 480, {0}, 4.5},
    {"深圳市", "广东省", "CN", "Asia/Shanghai", 480, {0}, 4.5},
    {"东莞市", "广东省", "CN", "Asia/Shanghai", 480, {0}, 2.0},
    {"佛山市", "广东省", "CN", "Asia/Shanghai", 480, {0}, 1.8},
    {"杭州市", "浙江省", "CN", "Asia/Shanghai", 480, {0}, 3.2},
    {"宁波市", "浙江省", "CN", "Asia/Shanghai", 480, {0}, 1.5},
    {"温州市", "浙江省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"南京市", "江苏省", "CN", "Asia/Shanghai", 480, {0}, 2.4},
    {"苏州市", "江苏省", "CN", "Asia/Shanghai", 480, {0}, 2.4},
    {"无锡市", "江苏省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"成都市", "四川省", "CN", "Asia/Shanghai", 480, {0}, 3.5},
    {"重庆市", "重庆市", "CN", "Asia/Shanghai", 480, {0}, 3.0},
    {"武汉市", "湖北省", "CN", "Asia/Shanghai", 480, {0}, 2.6},
    {"西安市", "陕西省", "CN", "Asia/Shanghai", 480, {0}, 2.2},
    {"长沙市", "湖南省", "CN", "Asia/Shanghai", 480, {0}, 2.0},
    {"郑州市", "河南省", "CN", "Asia/Shanghai", 480, {0}, 2.0},
    {"天津市", "天津市", "CN", "Asia/Shanghai", 480, {0}, 2.0},
    {"青岛市", "山东省", "CN", "Asia/Shanghai", 480, {0}, 1.6},
    {"济南市", "山东省", "CN", "Asia/Shanghai", 480, {0}, 1.3},
    {"厦门市", "福建省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"福州市", "福建省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"合肥市", "安徽省", "CN", "Asia/Shanghai", 480, {0}, 1.5},
    {"昆明市", "云南省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"沈阳市", "辽宁省", "CN", "Asia/Shanghai", 480, {0}, 1.3},
    {"大连市", "辽宁省", "CN", "Asia/Shanghai", 480, {0}, 1.0},
    {"哈尔滨市", "黑龙江省", "CN", "Asia/Shanghai", 480, {0}, 1.2},
    {"长春市", "吉林省", "CN", "Asia/Shanghai", 480, {0}, 0.9},
    {"石家庄市", "河北省", "CN", "Asia/Shanghai", 480, {0}, 1.0},
    {"南宁市", "广西壮族自治区", "CN", "Asia/Shanghai", 480, {0}, 0.9},
    {"南昌市", "江西省", "CN", "Asia/Shanghai", 480, {0}, 0.9},
    {"贵阳市", "贵州省", "CN", "Asia/Shanghai", 480, {0}, 0.8},
    {"太原市", "山西省", "CN", "Asia/Shanghai", 480, {0}, 0.8},
    {"兰州市", "甘肃省", "CN", "Asia/Shanghai", 480, {0}, 0.6},
    {"乌鲁木齐市", "新疆维吾尔自治区", "CN", "Asia/Urumqi", 480, {0}, 0.5},
    {"海口市", "海南省", "CN", "Asia/Shanghai", 480, {0}, 0.4},
    {"呼和浩特市", "内蒙古自治区", "CN", "Asia/Shanghai", 480, {0}, 0.4},
};

static const char *const zh_occupations[] = {
    "软件工程师", "教师", "护士", "会计", "销售经理", "学生", "设计师", "退休", "市场专员", "医生",
    "律师", "公务员", "自由职业", "厨师", "司机", "产品经理", "个体户", "全职妈妈", "数据分析师", "客服",
};
static const char *const zh_domains[] = {"qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com", "outlook.com"};
static const double zh_domain_w[] = {45, 22, 10, 6, 6, 6, 5};
static const char *const zh_channels[] = {"app", "miniprogram", "web", "store"};
static const double zh_channel_w[] = {45, 35, 12, 8};
static const char *const zh_payments[] = {"alipay", "wechat_pay", "unionpay", "card"};
static const double zh_payment_w[] = {48, 42, 7, 3};
/* amounts in USD; CNY = 7 x (so MANJIAN30 is 30 off from 200 yuan) */
static const gen_coupon zh_coupons[] = {
    {"NEW20", 0, 20.0 / 7, 0, 1, 0}, {"MEMBER15", 15, 0, 0, 0, 0}, {"618SALE", 18, 0, 0, 0, 6},
    {"DOUBLE11", 20, 0, 0, 0, 11}, {"MANJIAN30", 0, 30.0 / 7, 200.0 / 7, 0, 0}, {"FLASH20", 20, 0, 0, 0, 0},
    {"FREESHIP", 0, 10.0 / 7, 0, 0, 0},
};
static const char *const zh_rev1[] = {"收到就是坏的，太差了。", "千万别买，浪费钱。", "用了两天就坏了，已退货。", "客服说\"没办法\"，很失望。"};
static const char *const zh_rev2[] = {"和描述不符，有点失望。", "用了一周就坏了。", "尺码偏小，只能退了。", "做工粗糙，质感很差。"};
static const char *const zh_rev3[] = {"一般般，没有想象中好。", "质量中规中矩。", "能用，但是有点廉价感。", "颜色和图片有色差。"};
static const char *const zh_rev4[] = {"东西不错，就是价格有点贵。", "挺好用的，包装可以再改进。", "还可以，发货稍慢。", "整体满意，推荐购买。"};
static const char *const zh_rev5[] = {"质量很好，和描述一致。", "非常喜欢，会回购！", "物流很快，用着不错。", "性价比很高，推荐购买。",
    "第二次买了，一如既往的好。", "送给家人的，他们很喜欢。"};
static const char *const zh_complaints[] = {"快递太慢，外包装破损。", "发错货了，退款还没到账。", "同一笔订单被重复扣款。",
    "退货两周了还没退款。", "客服态度差，问题一直没解决。", "包裹里少了一件商品。"};
static const char *const zh_survey[] = {"希望多一些颜色选择。", "运费能不能便宜点。", "App结账有点卡。", "整体满意。",
    "希望发货再快一点。", "积分太难用了。"};

const gen_locale_tables gen_tables_zh = {
    zh_first_f, zh_first_m, zh_last, N(zh_first_f), N(zh_first_m), N(zh_last),
    zh_cities, N(zh_cities),
    STRS(zh_occupations), STRS(zh_domains), STRS(zh_channels), STRS(zh_payments), zh_coupons, N(zh_coupons),
    zh_channel_w, zh_payment_w, zh_domain_w,
    {STRS(zh_rev1), STRS(zh_rev2), STRS(zh_rev3), STRS(zh_rev4), STRS(zh_rev5)},
    STRS(zh_complaints), STRS(zh_survey),
    {"青春版", "标准版", "Pro版", "旗舰版"},
    "CNY",
};
